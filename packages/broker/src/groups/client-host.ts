/**
 * The client host Kafka records for a group member and shows in DescribeGroups: `/` followed by
 * the client's IP address (Java's `InetAddress.toString()` without a host name), from the
 * connection's `address:port`.
 *
 * @example
 * ```ts
 * clientHostOf('127.0.0.1:53012') // '/127.0.0.1'
 * clientHostOf('::1:53012') // '/::1'
 * ```
 */
export function clientHostOf(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':')
  const address = colon > 0 ? remoteAddress.slice(0, colon) : remoteAddress
  return `/${address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')}`
}

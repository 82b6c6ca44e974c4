/** A broker's network address. */
export interface BrokerAddress {
  host: string
  port: number
}

/**
 * Parses `host:port` (IPv6 hosts in brackets: `[::1]:9092`). Throws a plain Error naming the problem;
 * option validation turns it into the option's message.
 *
 * @example
 * ```ts
 * parseBrokerAddress('localhost:9092') // { host: 'localhost', port: 9092 }
 * ```
 */
export function parseBrokerAddress(text: string): BrokerAddress {
  const trimmed = text.trim()
  const match = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(trimmed)
  if (!match) throw new Error(`"${text}" is not a broker address: expected "host:port", such as "localhost:9092"`)
  const port = Number(match[3])
  if (port < 1 || port > 65535) throw new Error(`"${text}" has port ${port}: expected a port from 1 to 65535`)
  return { host: match[1] ?? match[2]!, port }
}

/**
 * `host:port`, with IPv6 hosts in brackets.
 *
 * @example
 * ```ts
 * formatBrokerAddress({ host: '::1', port: 9092 }) // '[::1]:9092'
 * ```
 */
export function formatBrokerAddress(address: BrokerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}

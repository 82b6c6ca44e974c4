import type { TLSSocket } from 'node:tls'

/**
 * The principal of a verified client certificate, as Kafka's default principal builder names it:
 * `User:` and the subject's distinguished name in RFC 2253 form, most specific part first
 * (`User:CN=alice,OU=eng,O=Acme,C=US`). Undefined when the client sent no certificate or one that
 * did not verify against the trusted CAs (such a certificate must never name a principal).
 */
export function certificatePrincipal(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined
  const cert = socket.getPeerX509Certificate()
  if (!cert) return undefined
  // Node prints the subject one RDN per line, in certificate order (least specific first), with
  // RFC 2253 escaping; RFC 2253 lists them the other way round, separated by commas.
  const rdns = cert.subject.split('\n').filter((line) => line !== '')
  return rdns.length === 0 ? undefined : `User:${rdns.reverse().join(',')}`
}

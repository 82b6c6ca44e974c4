import type { ConnectionInfo, RequestContext } from '../handlers/handler.js'
import type { SecurityProtocol } from '../server/listener-config.js'
import type { Requester } from './authorizer.js'
import type { SaslServer } from './sasl/mechanism.js'

/** The principal of a connection that has not authenticated (PLAINTEXT, SSL without a client certificate). */
export const ANONYMOUS = 'User:ANONYMOUS'

/** The key of the {@link SecuritySession} in `ConnectionInfo.state`. */
export const SESSION_KEY = 'security'

/** The listener a connection came in on, as its clients are told about it. */
export interface ListenerEndpoint {
  name: string
  securityProtocol: SecurityProtocol
  /** The host and port Metadata, FindCoordinator and DescribeCluster advertise on this listener. */
  advertisedHost: string
  advertisedPort: number
}

/**
 * Where a connection stands with SASL:
 * - `none`: a listener without SASL;
 * - `handshake`: waiting for SaslHandshake (ApiVersions allowed);
 * - `authenticate`: SaslHandshake v1 chose a mechanism; SaslAuthenticate requests carry the tokens;
 * - `unframed`: SaslHandshake v0 chose a mechanism; raw size-prefixed tokens follow;
 * - `authenticated`: done; every request is served (subject to ACLs);
 * - `failed`: authentication failed; the connection closes.
 */
export type SaslState = 'none' | 'handshake' | 'authenticate' | 'unframed' | 'authenticated' | 'failed'

/** Per-connection security state, kept in `ConnectionInfo.state` under {@link SESSION_KEY}. */
export interface SecuritySession {
  readonly listener: ListenerEndpoint
  /** The client's IP address, as ACL hosts name it. */
  readonly host: string
  /** `User:ANONYMOUS` until SASL or a client certificate says otherwise. */
  principal: string
  sasl: SaslState
  /** The exchange in progress, in `authenticate` and `unframed`. */
  server?: SaslServer
  /** Set when the connection must close once the current response is written. */
  closeReason?: string
}

/** The connection's security session, when it came through a listener (always, outside unit tests). */
export function sessionOf(info: ConnectionInfo): SecuritySession | undefined {
  return info.state.get(SESSION_KEY) as SecuritySession | undefined
}

/** Who is asking, for the authorizer: the session's principal and host (anonymous without a session). */
export function requesterOf(ctx: RequestContext): Requester {
  const session = sessionOf(ctx.connection)
  return session ? { principal: session.principal, host: session.host } : { principal: ANONYMOUS, host: hostOf(ctx.connection.remoteAddress) }
}

/** The IP address of an `address:port` string, without the IPv4-mapped IPv6 prefix. */
export function hostOf(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':')
  return ipOf(colon > 0 ? remoteAddress.slice(0, colon) : remoteAddress)
}

/** An IP address as ACLs name it: `::ffff:10.0.0.1` is `10.0.0.1`. */
export function ipOf(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')
}

import type { Socket } from 'node:net'
import type { ConnectionInfo } from '../handlers/handler.js'

/**
 * A listener's say over its connections (see `security/gate.ts`): who the client is, which
 * requests it may send before it has authenticated, SaslHandshake v0's unframed SASL tokens, and
 * closing a connection right after a response (a failed authentication).
 */
export interface ConnectionGate {
  /** Called once as the connection opens, before any request (a TLS socket's certificate is known by then). */
  open(info: ConnectionInfo, socket: Socket): void
  /**
   * Called in request order, just before a request would be served: a reason to close the
   * connection instead (logged), or undefined to serve it.
   */
  refuse(apiKey: number, apiName: string, info: ConnectionInfo): string | undefined
  /**
   * When the connection's next frame is an unframed SASL token (after SaslHandshake v0) rather than
   * a request: the function that answers it with the reply token, throwing to close the
   * connection. Undefined otherwise.
   */
  unframedToken(info: ConnectionInfo): ((token: Buffer) => Buffer) | undefined
  /** After a response was queued: a reason to close the connection once it is written, or undefined. */
  closeAfterResponse(info: ConnectionInfo): string | undefined
}

/**
 * SaslHandshake (API key 17), versions 0-1.
 *
 * Chooses the SASL mechanism of a connection on a SASL_PLAINTEXT or SASL_SSL listener (see
 * `security/sasl/exchange.ts`):
 * - the mechanism must be one of `sasl.enabled.mechanisms` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512);
 *   otherwise UNSUPPORTED_SASL_MECHANISM with the enabled list, and the connection closes after
 *   the answer, as Kafka's does;
 * - v1: the SASL tokens follow in SaslAuthenticate requests; v0 (Kafka before 1.0): they follow
 *   unframed, as size-prefixed raw bytes, answered the same way;
 * - on a listener without SASL, or after authentication, ILLEGAL_SASL_STATE.
 * Every answer lists the enabled mechanisms.
 */
import { SaslHandshakeApi } from '@tributary/protocol'
import { handshake } from '../security/sasl/exchange.js'
import { sessionOf } from '../security/session.js'
import { defineHandler } from './handler.js'

export const saslHandshakeHandler = defineHandler({
  api: SaslHandshakeApi,
  minVersion: 0,
  maxVersion: SaslHandshakeApi.maxVersion,

  handle(request, ctx) {
    const log = { logger: ctx.broker.logger, connection: `connection ${ctx.connection.id} from ${ctx.connection.remoteAddress}` }
    return handshake(sessionOf(ctx.connection), ctx.broker.security, request.mechanism, ctx.apiVersion, log)
  },

  errorResponse(_request, errorCode, ctx) {
    return { errorCode, mechanisms: [...ctx.broker.security.mechanisms] }
  },
})

/**
 * SaslAuthenticate (API key 36), versions 0-2.
 *
 * Carries one SASL token of the exchange SaslHandshake v1 started (see
 * `security/sasl/exchange.ts`) and answers the server's token:
 * - PLAIN completes in one step; SCRAM in two (server-first, then server-final with the server
 *   signature). On completion every request is served as `User:<name>`.
 * - Wrong credentials, or a malformed or out-of-turn message: SASL_AUTHENTICATION_FAILED with a
 *   message that does not say whether the user exists, one warning in the log naming the user and
 *   the reason (never the secret), and the connection closes after the answer, as Kafka's does.
 * - On a listener without SASL, or after authentication: ILLEGAL_SASL_STATE (re-authentication,
 *   KIP-368, is not offered: `sessionLifetimeMs` is always 0 and `connections.max.reauth.ms` is
 *   not a setting of this broker).
 */
import { ErrorCode, SaslAuthenticateApi } from '@tributary/protocol'
import { saslStep } from '../security/sasl/exchange.js'
import { sessionOf } from '../security/session.js'
import { defineHandler } from './handler.js'

const EMPTY = Buffer.alloc(0)

export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticateApi,
  minVersion: 0,
  maxVersion: SaslAuthenticateApi.maxVersion,

  handle(request, ctx) {
    const session = sessionOf(ctx.connection)
    if (!session || session.sasl === 'none') return illegal('this listener does not use SASL')
    if (session.sasl !== 'authenticate') return illegal('SaslAuthenticate request received after successful authentication')
    const log = { logger: ctx.broker.logger, connection: `connection ${ctx.connection.id} from ${ctx.connection.remoteAddress}` }
    const result = saslStep(session, request.authBytes, log)
    if (result.failure) return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: result.failure.message, authBytes: EMPTY, sessionLifetimeMs: 0n }
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: result.reply, sessionLifetimeMs: 0n }
  },

  errorResponse(_request, errorCode) {
    return { errorCode, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0n }
  },
})

function illegal(errorMessage: string) {
  return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage, authBytes: EMPTY, sessionLifetimeMs: 0n }
}

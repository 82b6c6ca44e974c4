import { ErrorCode } from '@tributary/protocol'
import type { BrokerLogger } from '../../logger.js'
import type { BrokerSecurity } from '../broker-security.js'
import type { SecuritySession } from '../session.js'
import { SaslFailure } from './mechanism.js'

/** Where log lines about an exchange say it happened: `connection 3 from 10.0.0.5:51234`. */
export interface ExchangeLog {
  logger: BrokerLogger
  connection: string
}

/** The outcome of a SaslHandshake. */
export interface HandshakeResult {
  errorCode: number
  /** The mechanisms the listener serves (every answer lists them, as Kafka's do). */
  mechanisms: string[]
}

/**
 * SaslHandshake: picks the mechanism for the connection's exchange. v0 means the tokens follow
 * unframed (size-prefixed raw bytes), v1 that they come in SaslAuthenticate requests.
 * - A listener without SASL, or a connection that already authenticated: ILLEGAL_SASL_STATE.
 * - A mechanism the listener does not serve: UNSUPPORTED_SASL_MECHANISM, and the connection
 *   closes after the answer, as Kafka's does.
 */
export function handshake(session: SecuritySession | undefined, security: BrokerSecurity, mechanism: string, version: number, log: ExchangeLog): HandshakeResult {
  const mechanisms = [...security.mechanisms]
  if (!session || session.sasl !== 'handshake') return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
  if (!security.isEnabled(mechanism)) {
    session.sasl = 'failed'
    session.closeReason = `SASL mechanism ${JSON.stringify(mechanism)} is not enabled (enabled: ${mechanisms.join(', ')})`
    log.logger.warn(`${log.connection}: ${session.closeReason}`)
    return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms }
  }
  session.server = security.createSaslServer(mechanism)
  session.sasl = version === 0 ? 'unframed' : 'authenticate'
  return { errorCode: ErrorCode.NONE, mechanisms }
}

/** What one SASL token produced: the reply, or the failure the client is told about. */
export type StepResult = { reply: Buffer; failure?: undefined } | { reply?: undefined; failure: SaslFailure }

/**
 * Feeds one client token to the connection's exchange. On success the session's principal becomes
 * `User:<name>` and every request is served from then on; on failure the session is marked failed
 * (the connection closes after the answer) and one warning is logged naming the listener, the
 * mechanism, the claimed user and why — never the password, proof or token.
 */
export function saslStep(session: SecuritySession, token: Buffer, log: ExchangeLog): StepResult {
  const server = session.server
  const where = `${log.connection} on listener ${session.listener.name}`
  if (!server || (session.sasl !== 'authenticate' && session.sasl !== 'unframed')) {
    return { failure: new SaslFailure('Authentication failed: no SASL exchange is in progress', 'a SASL token arrived outside an exchange') }
  }
  try {
    const step = server.evaluate(token)
    if (step.user !== undefined) {
      session.principal = `User:${step.user}`
      session.sasl = 'authenticated'
      session.server = undefined
      log.logger.info(`${where}: authenticated as ${session.principal} with SASL ${server.mechanism}`)
    }
    return { reply: step.reply }
  } catch (err) {
    const failure = err instanceof SaslFailure ? err : new SaslFailure(`Authentication failed (${server.mechanism})`, 'the SASL exchange failed unexpectedly')
    if (!(err instanceof SaslFailure)) log.logger.error(`${where}: the ${server.mechanism} exchange failed unexpectedly`, err)
    session.sasl = 'failed'
    session.server = undefined
    session.closeReason = `SASL ${server.mechanism} authentication failed`
    const user = failure.user === undefined ? '' : ` of user ${JSON.stringify(failure.user)}`
    log.logger.warn(`${where}: SASL ${server.mechanism} authentication${user} failed: ${failure.detail}`)
    return { failure }
  }
}

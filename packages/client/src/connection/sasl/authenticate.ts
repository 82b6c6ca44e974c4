import { ErrorCode, SaslAuthenticateApi, SaslHandshakeApi, errorTableEntry, errorForCode } from '@tributary/protocol'
import { SaslAuthenticationError } from '../../errors/client-errors.js'
import type { SaslOptions } from '../../options/client-options.js'
import type { Connection } from '../connection.js'
import type { SaslMechanism } from './mechanism.js'
import { PlainMechanism } from './plain.js'
import { ScramMechanism } from './scram.js'

/** The SASL mechanism for the client's `sasl` option. */
export function createSaslMechanism(sasl: SaslOptions): SaslMechanism {
  switch (sasl.mechanism) {
    case 'plain':
      return new PlainMechanism(sasl.username, sasl.password)
    case 'scram-sha-256':
      return new ScramMechanism('sha256', sasl.username, sasl.password)
    case 'scram-sha-512':
      return new ScramMechanism('sha512', sasl.username, sasl.password)
  }
}

/**
 * Authenticates a freshly negotiated connection: SaslHandshake (v1+) to choose the mechanism, then
 * SaslAuthenticate requests carrying the mechanism's messages until it completes. Errors are
 * {@link SaslAuthenticationError}s naming the mechanism, the user and the broker, never the password.
 * When the broker announces a session lifetime (KIP-368), the connection is retired before it ends.
 */
export async function authenticate(conn: Connection, sasl: SaslOptions, mechanism = createSaslMechanism(sasl)): Promise<void> {
  const who = `SASL ${mechanism.name} authentication as "${sasl.username}" with broker ${conn.address}`
  const scrub = (text: string) => (sasl.password.length > 0 ? text.split(sasl.password).join('***') : text)
  const handshakeVersion = conn.versionFor(SaslHandshakeApi)
  if (handshakeVersion < 1) {
    throw new SaslAuthenticationError(`${who} failed: the broker supports only SaslHandshake v0 (unframed SASL, Kafka before 1.0), which this client does not speak`, {
      code: 'UNSUPPORTED_VERSION',
    })
  }
  const handshake = await conn.request(SaslHandshakeApi, { mechanism: mechanism.name }, { version: handshakeVersion })
  if (handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    const enabled = handshake.mechanisms.length > 0 ? handshake.mechanisms.join(', ') : 'none'
    throw new SaslAuthenticationError(`${who} failed: the broker does not enable ${mechanism.name}; it enables ${enabled}`, { code: 'UNSUPPORTED_SASL_MECHANISM' })
  }
  if (handshake.errorCode !== 0) {
    const cause = errorForCode(handshake.errorCode)!
    throw new SaslAuthenticationError(`${who} failed in the handshake: ${cause.message}`, { code: cause.code, cause })
  }
  const authVersion = conn.versionFor(SaslAuthenticateApi)
  let message: Buffer | null = mechanism.start()
  while (message) {
    const response = await conn.request(SaslAuthenticateApi, { authBytes: message }, { version: authVersion })
    if (response.errorCode !== 0) {
      const name = errorTableEntry(response.errorCode)?.name ?? 'SASL_AUTHENTICATION_FAILED'
      const detail = response.errorMessage ? scrub(response.errorMessage) : errorForCode(response.errorCode)!.message
      throw new SaslAuthenticationError(`${who} failed: ${detail}`, { code: name })
    }
    try {
      message = mechanism.next(response.authBytes)
    } catch (err) {
      throw new SaslAuthenticationError(`${who} failed: ${scrub((err as Error).message)}`, { cause: err })
    }
    const lifetime = Number(response.sessionLifetimeMs)
    if (message === null && lifetime > 0) conn.retireAfter(Math.floor(lifetime * 0.85))
  }
}

import { createHash, timingSafeEqual } from 'node:crypto'
import { SaslFailure, type SaslServer, type SaslStep } from './mechanism.js'

const INVALID = 'Authentication failed: invalid username or password (PLAIN)'

/**
 * The server side of SASL PLAIN (RFC 4616): one client message `[authzid] NUL user NUL password`,
 * checked against the configured PLAIN users; the reply is empty. An authorization id other than
 * the user, an empty user or password, or a wrong password fail with {@link SaslFailure}.
 * Passwords are compared in constant time (as hashes, so their lengths do not show either).
 */
export class PlainServer implements SaslServer {
  readonly mechanism = 'PLAIN'
  private done = false

  constructor(private readonly passwordOf: (user: string) => string | undefined) {}

  evaluate(message: Buffer): SaslStep {
    if (this.done) throw new SaslFailure('Authentication failed: the PLAIN exchange is already complete', 'a message arrived after the PLAIN exchange completed')
    this.done = true
    const parts = message.toString('utf8').split('\0')
    if (parts.length !== 3) throw new SaslFailure('Authentication failed: malformed PLAIN message', 'the PLAIN message is not [authzid] NUL user NUL password')
    const [authzid, user, password] = parts as [string, string, string]
    if (user === '' || password === '') throw new SaslFailure(INVALID, 'empty user name or password', user || undefined)
    if (authzid !== '' && authzid !== user) {
      throw new SaslFailure(`Authentication failed: authorization id ${JSON.stringify(authzid)} differs from the user name (PLAIN)`, `the client asked to act as ${JSON.stringify(authzid)}`, user)
    }
    const expected = this.passwordOf(user)
    const given = digest(password)
    // Compared even for unknown users, so that timing does not reveal which users exist.
    const matches = timingSafeEqual(given, digest(expected ?? '\0unknown')) && expected !== undefined
    if (!matches) throw new SaslFailure(INVALID, expected === undefined ? 'unknown user' : 'wrong password', user)
    return { reply: Buffer.alloc(0), user }
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

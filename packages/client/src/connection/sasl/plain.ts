import type { SaslMechanism } from './mechanism.js'

/**
 * SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL password`, with an empty authorisation
 * id as Kafka expects. Use it only over TLS: the password crosses the wire as is.
 *
 * @example
 * ```ts
 * new PlainMechanism('alice', 'secret').start() // <NUL>alice<NUL>secret
 * ```
 */
export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN'
  private sent = false

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  start(): Buffer {
    this.sent = true
    return Buffer.from(`\u0000${this.username}\u0000${this.password}`, 'utf8')
  }

  next(): Buffer | null {
    if (!this.sent) throw new Error('PLAIN: the server replied before the client sent its credentials')
    return null
  }
}

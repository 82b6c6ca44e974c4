/**
 * One SASL conversation from the client's side. The client sends `start()`; each server reply goes to
 * `next()`, which returns the client's next message, or null once the exchange is complete (and, for
 * SCRAM, the server's signature has been verified). Mechanisms throw on any malformed or failed step.
 */
export interface SaslMechanism {
  /** The mechanism's registered name, as sent in SaslHandshake: `PLAIN`, `SCRAM-SHA-256`, … */
  readonly name: string
  start(): Buffer
  next(serverMessage: Buffer): Buffer | null
}

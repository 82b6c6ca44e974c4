/** The SASL mechanisms this broker can serve, by their IANA names. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number]

/** What one step of a SASL exchange produced. */
export interface SaslStep {
  /** The bytes to send back (possibly empty). */
  reply: Buffer
  /** Set when the exchange completed successfully: the authenticated user name. */
  user?: string
}

/**
 * The server side of one SASL exchange on one connection: fed each client message in turn.
 * A failure throws {@link SaslFailure}.
 */
export interface SaslServer {
  readonly mechanism: SaslMechanismName
  evaluate(message: Buffer): SaslStep
}

/**
 * A failed authentication. `message` is what the client is told (never whether the user exists);
 * `detail` is what the broker logs. Neither ever holds a password or proof.
 */
export class SaslFailure extends Error {
  constructor(
    message: string,
    readonly detail: string,
    /** The user name the client claimed, when it got that far. */
    readonly user?: string,
  ) {
    super(message)
    this.name = 'SaslFailure'
  }
}

/** Whether a string names a mechanism this broker can serve. */
export function isSaslMechanism(name: string): name is SaslMechanismName {
  return (SASL_MECHANISMS as readonly string[]).includes(name)
}

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

/** The SCRAM mechanisms, with the codes DescribeUserScramCredentials and AlterUserScramCredentials use. */
export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', keyLength: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', keyLength: 64 },
} as const

export type ScramMechanismName = keyof typeof SCRAM_MECHANISMS

/** Kafka's bounds on PBKDF2 iterations for SCRAM credentials (RFC 7677 asks for at least 4096). */
export const MIN_ITERATIONS = 4096
export const MAX_ITERATIONS = 16384
/** Iterations of credentials the broker creates itself (`scramUsers`), as Kafka's tools default to. */
export const DEFAULT_ITERATIONS = 4096
/** Length of salts the broker generates. */
export const SALT_BYTES = 32

/**
 * A stored SCRAM credential (RFC 5802 §3): enough to verify a client's proof and prove the server
 * knows the password, but not the password, nor the salted password a client could log in with.
 */
export interface ScramCredential {
  salt: Buffer
  iterations: number
  /** H(HMAC(SaltedPassword, "Client Key")). */
  storedKey: Buffer
  /** HMAC(SaltedPassword, "Server Key"). */
  serverKey: Buffer
}

/** The mechanism name for a credential API code, or undefined for codes this broker does not know. */
export function scramMechanismOfCode(code: number): ScramMechanismName | undefined {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanismName[]).find((m) => SCRAM_MECHANISMS[m].code === code)
}

/** HMAC with the mechanism's hash. */
export function hmac(mechanism: ScramMechanismName, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest()
}

/** The mechanism's hash. */
export function hash(mechanism: ScramMechanismName, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest()
}

/**
 * The stored credential for a salted password (what AlterUserScramCredentials carries): the salted
 * password itself is used here and then dropped.
 */
export function credentialFromSaltedPassword(mechanism: ScramMechanismName, salt: Buffer, iterations: number, saltedPassword: Buffer): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, 'Client Key')
  return {
    salt: Buffer.from(salt),
    iterations,
    storedKey: hash(mechanism, clientKey),
    serverKey: hmac(mechanism, saltedPassword, 'Server Key'),
  }
}

/** SaltedPassword = PBKDF2(password as UTF-8, salt, iterations), as clients compute it (no SASLprep, as Kafka). */
export function saltPassword(mechanism: ScramMechanismName, password: string, salt: Buffer, iterations: number): Buffer {
  const { hash: digest, keyLength } = SCRAM_MECHANISMS[mechanism]
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, digest)
}

/** A new credential for a password, with a random salt. */
export function credentialFromPassword(mechanism: ScramMechanismName, password: string, iterations: number = DEFAULT_ITERATIONS, salt: Buffer = randomBytes(SALT_BYTES)): ScramCredential {
  return credentialFromSaltedPassword(mechanism, salt, iterations, saltPassword(mechanism, password, salt, iterations))
}

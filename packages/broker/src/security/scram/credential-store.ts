import type { LogStorage } from '../../log/storage.js'
import { JsonFile } from '../json-file.js'
import { SCRAM_MECHANISMS, type ScramCredential, type ScramMechanismName } from './credential.js'

/** The file in the data directory that holds SCRAM credentials. */
export const SCRAM_CREDENTIALS_FILE = 'tributary-scram-credentials.json'

interface StoredCredential {
  salt: string
  iterations: number
  storedKey: string
  serverKey: string
}

/** One change of a credential batch: set (`credential`) or remove (`null`) a user's credential for a mechanism. */
export interface CredentialChange {
  user: string
  mechanism: ScramMechanismName
  credential: ScramCredential | null
}

/**
 * The SCRAM credentials of every user, by mechanism: salt, iterations, StoredKey and ServerKey,
 * never a password or salted password. Persisted in the data directory
 * (`tributary-scram-credentials.json`, replaced atomically, owner-readable only) on every change.
 */
export class ScramCredentialStore {
  private readonly file: JsonFile<Map<string, Map<ScramMechanismName, ScramCredential>>>
  private users: Map<string, Map<ScramMechanismName, ScramCredential>>

  /** @throws KafkaError `KAFKA_STORAGE_ERROR` when the file exists but cannot be read. */
  constructor(storage: LogStorage, dataDir: string) {
    this.file = new JsonFile(storage, dataDir, SCRAM_CREDENTIALS_FILE)
    this.users = this.file.read(parseFile) ?? new Map()
  }

  /** Where the credentials are persisted. */
  get path(): string {
    return this.file.path
  }

  /** A user's credential for a mechanism. */
  get(user: string, mechanism: ScramMechanismName): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism)
  }

  /** Every user with at least one credential, sorted, with the mechanisms and iterations they have. */
  list(): { user: string; credentials: { mechanism: ScramMechanismName; iterations: number }[] }[] {
    return [...this.users.keys()].sort().map((user) => ({ user, credentials: this.describe(user)! }))
  }

  /** A user's mechanisms and iterations, or undefined when the user has no credential. */
  describe(user: string): { mechanism: ScramMechanismName; iterations: number }[] | undefined {
    const creds = this.users.get(user)
    if (!creds) return undefined
    return [...creds].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })).sort((a, b) => SCRAM_MECHANISMS[a.mechanism].code - SCRAM_MECHANISMS[b.mechanism].code)
  }

  /**
   * Applies a batch of changes and persists the result once, all or nothing.
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` when the file cannot be written; nothing changes then.
   */
  apply(changes: readonly CredentialChange[]): void {
    if (changes.length === 0) return
    const next = new Map([...this.users].map(([user, creds]) => [user, new Map(creds)]))
    for (const c of changes) {
      const creds = next.get(c.user) ?? new Map<ScramMechanismName, ScramCredential>()
      if (c.credential) creds.set(c.mechanism, c.credential)
      else creds.delete(c.mechanism)
      if (creds.size === 0) next.delete(c.user)
      else next.set(c.user, creds)
    }
    this.file.write(toFile(next))
    this.users = next
  }
}

function toFile(users: Map<string, Map<ScramMechanismName, ScramCredential>>): unknown {
  const out: Record<string, Record<string, StoredCredential>> = {}
  for (const [user, creds] of users) {
    out[user] = {}
    for (const [mechanism, c] of creds) {
      out[user][mechanism] = { salt: c.salt.toString('base64'), iterations: c.iterations, storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') }
    }
  }
  return { version: 1, users: out }
}

function parseFile(data: unknown): Map<string, Map<ScramMechanismName, ScramCredential>> {
  const doc = data as { version?: unknown; users?: unknown }
  if (doc?.version !== 1 || typeof doc.users !== 'object' || doc.users === null) throw new Error('expected {"version": 1, "users": {...}}')
  const users = new Map<string, Map<ScramMechanismName, ScramCredential>>()
  for (const [user, creds] of Object.entries(doc.users as Record<string, unknown>)) {
    const map = new Map<ScramMechanismName, ScramCredential>()
    for (const [mechanism, raw] of Object.entries((creds ?? {}) as Record<string, Partial<StoredCredential>>)) {
      if (!Object.hasOwn(SCRAM_MECHANISMS, mechanism)) throw new Error(`user ${JSON.stringify(user)}: unknown mechanism ${JSON.stringify(mechanism)}`)
      const { salt, iterations, storedKey, serverKey } = raw ?? {}
      if (typeof salt !== 'string' || typeof storedKey !== 'string' || typeof serverKey !== 'string' || !Number.isInteger(iterations)) {
        throw new Error(`user ${JSON.stringify(user)}: malformed ${mechanism} credential`)
      }
      map.set(mechanism as ScramMechanismName, { salt: Buffer.from(salt, 'base64'), iterations: iterations!, storedKey: Buffer.from(storedKey, 'base64'), serverKey: Buffer.from(serverKey, 'base64') })
    }
    if (map.size > 0) users.set(user, map)
  }
  return users
}

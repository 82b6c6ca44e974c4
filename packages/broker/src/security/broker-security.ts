import { randomBytes } from 'node:crypto'
import type { LogStorage } from '../log/storage.js'
import type { BrokerLogger } from '../logger.js'
import { AclStore } from './acl-store.js'
import { Authorizer } from './authorizer.js'
import type { ResolvedSecurity } from './options.js'
import type { SaslMechanismName, SaslServer } from './sasl/mechanism.js'
import { PlainServer } from './sasl/plain-server.js'
import { SCRAM_MECHANISMS, credentialFromPassword, type ScramMechanismName } from './scram/credential.js'
import { ScramCredentialStore, type CredentialChange } from './scram/credential-store.js'
import { ScramServer } from './scram/scram-server.js'

/**
 * The broker's security state, shared by every connection: the SASL mechanisms and users, the SCRAM
 * credential store, the ACLs and the authorizer. One per running broker, on the broker context.
 */
export class BrokerSecurity {
  readonly authorizer: Authorizer
  readonly acls: AclStore
  readonly credentials: ScramCredentialStore
  /** The mechanisms SASL listeners serve, in the order SaslHandshake lists them. */
  readonly mechanisms: readonly SaslMechanismName[]
  private readonly plainUsers: ReadonlyMap<string, string>
  /** Keys the made-up SCRAM salts of unknown users; new per process, never stored. */
  private readonly fakeSaltKey = randomBytes(32)

  /**
   * Loads the ACLs and SCRAM credentials from the data directory and seeds the configured SCRAM users.
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` when a file cannot be read or written.
   */
  constructor(init: { settings: ResolvedSecurity; storage: LogStorage; dataDir: string; logger: BrokerLogger }) {
    const { settings, logger } = init
    this.mechanisms = settings.saslMechanisms
    this.plainUsers = settings.plainUsers
    this.acls = new AclStore(init.storage, init.dataDir)
    this.credentials = new ScramCredentialStore(init.storage, init.dataDir)
    this.authorizer = new Authorizer(settings.authorizer, this.acls)
    const seeded: CredentialChange[] = []
    for (const [user, password] of settings.scramUsers) {
      for (const mechanism of Object.keys(SCRAM_MECHANISMS) as ScramMechanismName[]) {
        if (!this.credentials.get(user, mechanism)) seeded.push({ user, mechanism, credential: credentialFromPassword(mechanism, password) })
      }
    }
    this.credentials.apply(seeded)
    if (seeded.length > 0) logger.info(`created ${seeded.length} SCRAM credential(s) for ${new Set(seeded.map((c) => c.user)).size} configured user(s) in ${this.credentials.path}`)
    if (settings.authorizer.enabled) {
      const supers = [...settings.authorizer.superUsers]
      logger.info(`ACL authorization is on: ${this.acls.all().length} ACL(s) from ${this.acls.path}, super users ${supers.length > 0 ? supers.join(', ') : 'none'}${settings.authorizer.allowEveryoneIfNoAclFound ? ', resources without ACLs open to everyone' : ''}`)
    }
  }

  /** Whether SASL listeners serve this mechanism. */
  isEnabled(mechanism: string): mechanism is SaslMechanismName {
    return (this.mechanisms as readonly string[]).includes(mechanism)
  }

  /** A fresh server side of one SASL exchange. */
  createSaslServer(mechanism: SaslMechanismName): SaslServer {
    if (mechanism === 'PLAIN') return new PlainServer((user) => this.plainUsers.get(user))
    return new ScramServer(mechanism, (user) => this.credentials.get(user, mechanism), this.fakeSaltKey)
  }
}

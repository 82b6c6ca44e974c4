import { readFileSync } from 'node:fs'
import { KafkaError } from '@tributary/protocol'
import { DEFAULT_PROTOCOL_MAP, formatListener, resolveListeners, type ListenerConfig } from '../server/listener-config.js'
import type { AuthorizerConfig } from './authorizer.js'
import { SASL_MECHANISMS, isSaslMechanism, type SaslMechanismName } from './sasl/mechanism.js'
import { loadTls, type BrokerTlsOptions, type ClientAuth, type ResolvedTls } from './tls-config.js'

/** SASL on `SASL_PLAINTEXT` and `SASL_SSL` listeners. */
export interface BrokerSaslOptions {
  /**
   * Kafka's `sasl.enabled.mechanisms`. Default: SCRAM-SHA-256 and SCRAM-SHA-512, plus PLAIN when
   * PLAIN users are configured.
   */
  mechanisms?: SaslMechanismName[]
  /** PLAIN users and their passwords (Kafka configures them in JAAS as `user_<name>="<password>"`). */
  plainUsers?: Record<string, string>
  /** A JSON file `{ "<user>": "<password>", ... }` of PLAIN users, read at start-up. */
  plainUsersFile?: string
  /**
   * SCRAM users created at start-up, for both SCRAM mechanisms, when they have no credential yet
   * (as `kafka-storage format --add-scram` seeds the first users). Only salted keys are stored;
   * later changes go through AlterUserScramCredentials (`tributary users`).
   */
  scramUsers?: Record<string, string>
}

/** The security options of {@link BrokerOptions}: listeners, TLS, SASL and authorization. */
export interface SecurityOptions {
  /**
   * Kafka's `listeners`: `NAME://host:port` entries, such as
   * `['PLAINTEXT://127.0.0.1:9092', 'SASL_SSL://0.0.0.0:9094']` (or one comma-separated string).
   * Names map to security protocols through `listener.security.protocol.map` (the four protocol
   * names map to themselves). Port 0 picks a free port. When given, `port` and `host` (which
   * describe a single PLAINTEXT listener) are ignored, as Kafka ignored its old `port` and
   * `host.name` settings once `listeners` was set; `advertisedHost` still applies to listeners
   * without an `advertisedListeners` entry.
   */
  listeners?: string[] | string
  /** Kafka's `advertised.listeners`: per listener name, the `host:port` clients are told (port 0: the bound port). */
  advertisedListeners?: string[] | string
  /** Certificate and key for SSL and SASL_SSL listeners. */
  tls?: BrokerTlsOptions
  sasl?: BrokerSaslOptions
  /** Turns ACL authorization on (Kafka's `authorizer.class.name`). Default false: every request is allowed. */
  authorizer?: boolean
  /** Kafka's `super.users`: principals such as `User:admin` that every ACL check allows. */
  superUsers?: string[]
  /** Kafka's `allow.everyone.if.no.acl.found`: resources without any ACL are open to everyone. Default false. */
  allowEveryoneIfNoAclFound?: boolean
}

/** The security settings `configs` accepts (read-only at runtime), with their defaults and meaning. */
export const SECURITY_SETTINGS: readonly { name: string; type: 'string' | 'boolean'; default: string; documentation: string }[] = [
  { name: 'listeners', type: 'string', default: '', documentation: 'NAME://host:port entries the broker listens on; replaces port and host' },
  { name: 'advertised.listeners', type: 'string', default: '', documentation: 'NAME://host:port entries clients are told, per listener name' },
  { name: 'listener.security.protocol.map', type: 'string', default: DEFAULT_PROTOCOL_MAP, documentation: 'listener names and their security protocols' },
  { name: 'ssl.keystore.location', type: 'string', default: '', documentation: 'PEM file with the broker certificate chain and private key' },
  { name: 'ssl.keystore.type', type: 'string', default: 'PEM', documentation: 'only PEM is supported' },
  { name: 'ssl.truststore.location', type: 'string', default: '', documentation: 'PEM file with the CA certificates client certificates must chain to' },
  { name: 'ssl.truststore.type', type: 'string', default: 'PEM', documentation: 'only PEM is supported' },
  { name: 'ssl.client.auth', type: 'string', default: 'none', documentation: 'none, requested or required: client certificates on SSL listeners' },
  { name: 'sasl.enabled.mechanisms', type: 'string', default: 'SCRAM-SHA-256,SCRAM-SHA-512', documentation: 'SASL mechanisms served on SASL listeners' },
  { name: 'sasl.plain.users.file', type: 'string', default: '', documentation: 'JSON file of PLAIN users and passwords (a Tributary setting)' },
  { name: 'authorizer.class.name', type: 'string', default: '', documentation: 'a Kafka ACL authorizer class name turns ACL authorization on' },
  { name: 'authorizer.enabled', type: 'boolean', default: 'false', documentation: 'turns ACL authorization on (a Tributary setting)' },
  { name: 'super.users', type: 'string', default: '', documentation: 'principals allowed everything, separated by ";"' },
  { name: 'allow.everyone.if.no.acl.found', type: 'boolean', default: 'false', documentation: 'resources without any ACL are open to everyone' },
]

/** Kafka's authorizer class names, accepted in `authorizer.class.name` to turn on the built-in ACL authorizer. */
const KAFKA_AUTHORIZERS = new Set(['kafka.security.authorizer.AclAuthorizer', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer'])

/** Security settings after defaults and validation. */
export interface ResolvedSecurity {
  listeners: ListenerConfig[]
  tls: ResolvedTls | undefined
  saslMechanisms: SaslMechanismName[]
  plainUsers: ReadonlyMap<string, string>
  scramUsers: ReadonlyMap<string, string>
  authorizer: AuthorizerConfig
  /** Effective values of {@link SECURITY_SETTINGS} that were set, for DescribeConfigs. */
  effective: Record<string, string>
}

function invalid(option: string, value: unknown, allowed: string): KafkaError {
  return new KafkaError(`Invalid broker option ${option}: ${JSON.stringify(value)}; expected ${allowed}`, { code: 'INVALID_CONFIG' })
}

function bool(option: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  const text = String(value).trim().toLowerCase()
  if (text !== 'true' && text !== 'false') throw invalid(option, value, 'true or false')
  return text === 'true'
}

/**
 * A record of user names and passwords. Errors name the option and the offending user, never a
 * password or the value itself.
 */
function stringRecord(option: string, value: unknown): Map<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KafkaError(`Invalid broker option ${option}: expected an object of user names and passwords, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, { code: 'INVALID_CONFIG' })
  }
  const out = new Map<string, string>()
  for (const [user, password] of Object.entries(value)) {
    if (user === '') throw new KafkaError(`Invalid broker option ${option}: a user name is empty; user names must be non-empty`, { code: 'INVALID_CONFIG' })
    if (typeof password !== 'string') throw new KafkaError(`Invalid broker option ${option}: the password of user ${JSON.stringify(user)} is ${password === null ? 'null' : `a ${typeof password}`}; expected a string`, { code: 'INVALID_CONFIG' })
    out.set(user, password)
  }
  return out
}

function readPlainUsersFile(path: string): Map<string, string> {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    // JSON.parse's message quotes the file's text, passwords included: say only what failed.
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message
    throw new KafkaError(`Invalid broker option sasl.plainUsersFile: ${path} cannot be read as a JSON object of user names and passwords (${why})`, { code: 'INVALID_CONFIG' })
  }
  return stringRecord(`sasl.plainUsersFile (${path})`, data)
}

/**
 * Resolves listeners, TLS, SASL and authorization from the options and the Kafka-named `configs`
 * (`given`); dedicated options win over configs.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the option, the value and what is allowed.
 */
export function resolveSecurity(options: SecurityOptions, given: ReadonlyMap<string, string>, single: { host: string; port: number; advertisedHost: string | undefined }): ResolvedSecurity {
  const effective: Record<string, string> = {}
  const listeners = resolveListeners({
    listeners: options.listeners ?? given.get('listeners'),
    advertisedListeners: options.advertisedListeners ?? given.get('advertised.listeners'),
    protocolMap: given.get('listener.security.protocol.map'),
    ...single,
  })
  effective['listeners'] = listeners.map((l) => formatListener(l.name, l.host, l.port)).join(',')
  effective['advertised.listeners'] = listeners.map((l) => formatListener(l.name, l.advertisedHost, l.advertisedPort)).join(',')
  const tls = resolveTls(options, given, listeners, effective)
  const sasl = resolveSasl(options, given, listeners, effective)
  const authorizer = resolveAuthorizer(options, given, effective)
  return { listeners, tls, ...sasl, authorizer, effective }
}

function resolveTls(options: SecurityOptions, given: ReadonlyMap<string, string>, listeners: readonly ListenerConfig[], effective: Record<string, string>): ResolvedTls | undefined {
  for (const key of ['ssl.keystore.type', 'ssl.truststore.type']) {
    const type = given.get(key)
    if (type !== undefined && type.trim().toUpperCase() !== 'PEM') throw invalid(`configs['${key}']`, type, '"PEM"; convert JKS or PKCS#12 stores to PEM files')
  }
  const clientAuthText = (given.get('ssl.client.auth') ?? '').trim().toLowerCase()
  if (clientAuthText !== '' && !['none', 'requested', 'required'].includes(clientAuthText)) throw invalid("configs['ssl.client.auth']", clientAuthText, 'none, requested or required')
  const keystore = given.get('ssl.keystore.location')
  const tlsOptions: BrokerTlsOptions | undefined = options.tls ?? (keystore ? { certFile: keystore, keyFile: keystore, caFile: given.get('ssl.truststore.location') } : undefined)
  const required = options.tls?.requireClientCert
  const clientAuth: ClientAuth = required !== undefined ? (required ? 'required' : 'none') : ((clientAuthText || 'none') as ClientAuth)
  const needsTls = listeners.find((l) => l.securityProtocol === 'SSL' || l.securityProtocol === 'SASL_SSL')
  if (!needsTls) return undefined
  if (!tlsOptions) {
    throw new KafkaError(`Invalid broker options: listener ${needsTls.name} uses ${needsTls.securityProtocol} but no certificate is configured; pass tls: { certFile, keyFile } (or configs ssl.keystore.location)`, { code: 'INVALID_CONFIG' })
  }
  const tls = loadTls(tlsOptions, clientAuth)
  effective['ssl.keystore.location'] = tls.certFile === tls.keyFile ? tls.certFile : `${tls.certFile} (key ${tls.keyFile})`
  if (tls.caFile) effective['ssl.truststore.location'] = tls.caFile
  effective['ssl.client.auth'] = tls.clientAuth
  return tls
}

function resolveSasl(options: SecurityOptions, given: ReadonlyMap<string, string>, listeners: readonly ListenerConfig[], effective: Record<string, string>): Pick<ResolvedSecurity, 'saslMechanisms' | 'plainUsers' | 'scramUsers'> {
  const sasl = options.sasl ?? {}
  if (typeof sasl !== 'object' || sasl === null) throw invalid('sasl', sasl, 'an object { mechanisms?, plainUsers?, plainUsersFile?, scramUsers? }')
  const plainUsersFile = sasl.plainUsersFile ?? given.get('sasl.plain.users.file')
  const plainUsers = new Map([...(plainUsersFile ? readPlainUsersFile(plainUsersFile) : []), ...(sasl.plainUsers !== undefined ? stringRecord('sasl.plainUsers', sasl.plainUsers) : [])])
  const scramUsers = sasl.scramUsers !== undefined ? stringRecord('sasl.scramUsers', sasl.scramUsers) : new Map<string, string>()
  const mechanisms = sasl.mechanisms ?? given.get('sasl.enabled.mechanisms')?.split(',').map((m) => m.trim()).filter((m) => m !== '')
  if (mechanisms !== undefined && (!Array.isArray(mechanisms) || mechanisms.some((m) => typeof m !== 'string' || !isSaslMechanism(m.toUpperCase())))) {
    throw invalid('sasl.mechanisms', mechanisms, `a list of ${SASL_MECHANISMS.join(', ')}`)
  }
  const saslMechanisms = mechanisms?.map((m) => m.toUpperCase() as SaslMechanismName) ?? ([...(plainUsers.size > 0 ? ['PLAIN'] : []), 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as SaslMechanismName[])
  const saslListener = listeners.find((l) => l.securityProtocol.startsWith('SASL_'))
  if (saslListener && saslMechanisms.length === 0) throw invalid('sasl.mechanisms', [], `at least one mechanism for listener ${saslListener.name}`)
  if (saslListener && saslMechanisms.includes('PLAIN') && plainUsers.size === 0) {
    throw new KafkaError('Invalid broker options: PLAIN is enabled but no PLAIN users are configured; pass sasl.plainUsers or sasl.plainUsersFile (sasl.plain.users.file), or leave PLAIN out of the mechanisms', { code: 'INVALID_CONFIG' })
  }
  if (saslListener) effective['sasl.enabled.mechanisms'] = saslMechanisms.join(',')
  if (plainUsersFile) effective['sasl.plain.users.file'] = plainUsersFile
  return { saslMechanisms, plainUsers, scramUsers }
}

function resolveAuthorizer(options: SecurityOptions, given: ReadonlyMap<string, string>, effective: Record<string, string>): AuthorizerConfig {
  const className = given.get('authorizer.class.name')?.trim() ?? ''
  if (className !== '' && !KAFKA_AUTHORIZERS.has(className)) throw invalid("configs['authorizer.class.name']", className, `one of Kafka's ACL authorizers (${[...KAFKA_AUTHORIZERS].join(', ')}) or nothing`)
  const enabled = bool('authorizer', options.authorizer) ?? bool("configs['authorizer.enabled']", given.get('authorizer.enabled')) ?? className !== ''
  const superUsers = options.superUsers ?? (given.get('super.users') ?? '').split(';').map((s) => s.trim()).filter((s) => s !== '')
  if (!Array.isArray(superUsers) || superUsers.some((p) => typeof p !== 'string' || !/^User:.+/.test(p))) {
    throw invalid('superUsers', superUsers, 'principals of the form User:<name> (super.users separates them with ";")')
  }
  const allowEveryoneIfNoAclFound = bool('allowEveryoneIfNoAclFound', options.allowEveryoneIfNoAclFound) ?? bool("configs['allow.everyone.if.no.acl.found']", given.get('allow.everyone.if.no.acl.found')) ?? false
  effective['authorizer.enabled'] = String(enabled)
  if (superUsers.length > 0) effective['super.users'] = superUsers.join(';')
  effective['allow.everyone.if.no.acl.found'] = String(allowEveryoneIfNoAclFound)
  return { enabled, superUsers: new Set(superUsers), allowEveryoneIfNoAclFound }
}

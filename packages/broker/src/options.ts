import { KafkaError } from '@tributary/protocol'
import { TOPIC_CONFIG_DEFINITIONS, validateTopicConfigs } from './log/topic-config.js'
import type { LogStorage } from './log/storage.js'
import { defaultBrokerLogger, type BrokerLogger } from './logger.js'
import { CONNECTION_SETTINGS, connectionLimitsFromSettings, type ConnectionLimits } from './server/limits.js'
import { SECURITY_SETTINGS, resolveSecurity, type ResolvedSecurity, type SecurityOptions } from './security/options.js'
import type { ListenerConfig } from './server/listener-config.js'

/**
 * How to start a broker. Every field is optional; names follow Kafka's broker configs in camelCase,
 * and `configs` takes Kafka's own broker config names.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ port: 0, dataDir: './data', configs: { 'log.retention.ms': '3600000' } })
 * ```
 */
export interface BrokerOptions extends SecurityOptions {
  /** TCP port of the one PLAINTEXT listener. Default 9092; 0 picks any free port (read it back from `broker.port`). See `listeners` for more. */
  port?: number
  /**
   * Bind address. Default `'127.0.0.1'`: an embedded or development broker is reachable from this
   * machine only. Pass `'0.0.0.0'` (as Kafka's default listener does) to accept other machines.
   */
  host?: string
  /**
   * The host Metadata, DescribeCluster and FindCoordinator tell clients to connect to. Default: the
   * bind host, or `'localhost'` when binding a wildcard address (`0.0.0.0`, `::`).
   */
  advertisedHost?: string
  /** Kafka's `log.dirs`: where topics live. Required unless `storage` is `'memory'`. */
  dataDir?: string
  /**
   * `'file'` (default; durable, Kafka's on-disk layout) or `'memory'` (nothing survives the process),
   * or a {@link LogStorage} of your own, such as a `FileStorage` wrapped to inject disk faults in tests.
   */
  storage?: 'file' | 'memory' | LogStorage
  /** Kafka's `node.id`. Default 0. */
  nodeId?: number
  /** Default: generated on first start and kept in `<dataDir>/meta.properties`; a mismatch refuses to start. */
  clusterId?: string
  /** Kafka's `auto.create.topics.enable`: Metadata and Produce create unknown topics. Default true. */
  autoCreateTopics?: boolean
  /** Kafka's `num.partitions`: partitions of auto-created topics and of CreateTopics with -1. Default 1. */
  defaultPartitions?: number
  /**
   * Broker-level Kafka configs: topic defaults under their broker names (`log.retention.ms`,
   * `log.retention.hours`, `log.segment.bytes`, `log.flush.interval.messages`, `message.max.bytes`, ...)
   * and the broker settings listed in {@link BROKER_SETTINGS} (`num.partitions`,
   * `log.retention.check.interval.ms`, ...). The dedicated options above win over the same setting here.
   */
  configs?: Record<string, string>
  /** Kafka's `socket.request.max.bytes`: a larger request frame closes the connection. Default 104857600. */
  maxRequestSize?: number
  /** Default: warnings and errors to stderr. */
  logger?: BrokerLogger
}

/** A broker setting that is not a topic default: read at start-up, read-only at runtime. */
export interface BrokerSetting {
  readonly name: string
  readonly type: 'int' | 'long' | 'boolean' | 'string'
  readonly default: string
  readonly documentation: string
}

const setting = (name: string, type: BrokerSetting['type'], dflt: string, documentation: string): BrokerSetting => ({ name, type, default: dflt, documentation })

/** The broker settings (besides topic defaults) that `configs` accepts and DescribeConfigs reports. */
export const BROKER_SETTINGS: ReadonlyMap<string, BrokerSetting> = new Map(
  [
    setting('node.id', 'int', '0', 'this broker\'s id'),
    setting('auto.create.topics.enable', 'boolean', 'true', 'Metadata and Produce create unknown topics'),
    setting('num.partitions', 'int', '1', 'partitions of auto-created topics and of CreateTopics with -1'),
    setting('default.replication.factor', 'int', '1', 'replication factor of new topics; one broker holds every replica'),
    setting('socket.request.max.bytes', 'int', '104857600', 'the largest request frame; a larger one closes the connection'),
    setting('log.dirs', 'string', '', 'the data directory'),
    setting('log.retention.check.interval.ms', 'long', '300000', 'how often retention runs'),
    setting('log.cleaner.backoff.ms', 'long', '15000', 'how often compacted topics are considered for cleaning'),
    setting('log.flush.scheduler.interval.ms', 'long', '1000', 'how often flush.ms is checked'),
    setting('log.flush.offset.checkpoint.interval.ms', 'long', '60000', 'how often recovery points are checkpointed'),
    setting('max.incremental.fetch.session.cache.slots', 'int', '1000', 'the most fetch sessions kept at once'),
    setting('group.initial.rebalance.delay.ms', 'int', '3000', 'how long the first rebalance of an empty group waits for more members to join'),
    setting('group.min.session.timeout.ms', 'int', '6000', 'the shortest session timeout a group member may ask for'),
    setting('group.max.session.timeout.ms', 'int', '1800000', 'the longest session timeout a group member may ask for'),
    setting('group.max.size', 'int', '2147483647', 'the most members one consumer group may have'),
    setting('offsets.topic.num.partitions', 'int', '50', 'partitions of __consumer_offsets, fixed when it is first created'),
    setting('offsets.retention.minutes', 'int', '10080', 'how long committed offsets of an empty group are kept'),
    setting('offsets.retention.check.interval.ms', 'long', '600000', 'how often expired committed offsets are removed'),
    setting('offset.metadata.max.bytes', 'int', '4096', 'the longest metadata string an offset commit may carry'),
    setting('transaction.state.log.num.partitions', 'int', '50', 'partitions of __transaction_state, fixed when it is first created'),
    setting('transaction.max.timeout.ms', 'int', '900000', 'the longest transaction timeout a producer may ask for'),
    setting('transactional.id.expiration.ms', 'int', '604800000', 'how long a transactional id without activity is kept'),
    setting('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000', 'how often transactions past their timeout are aborted'),
    setting('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', '3600000', 'how often expired transactional ids are removed'),
    setting('producer.id.expiration.ms', 'int', '86400000', 'how long a partition remembers a producer that stopped writing'),
    setting('producer.id.expiration.check.interval.ms', 'int', '600000', 'how often expired producers are forgotten'),
    setting('log.verify.segments.on.startup', 'boolean', 'true', 'start-up checks the CRC of every stored batch and cuts a segment at its first corrupt one'),
    ...SECURITY_SETTINGS,
    ...CONNECTION_SETTINGS,
  ].map((s) => [s.name, s]),
)

/** Kafka's coarser spellings of two topic defaults, converted to milliseconds when the `.ms` form is absent. */
const COARSE_TIME_CONFIGS: Record<string, { target: string; factor: number }> = {
  'log.retention.minutes': { target: 'log.retention.ms', factor: 60_000 },
  'log.retention.hours': { target: 'log.retention.ms', factor: 3_600_000 },
  'log.roll.hours': { target: 'log.roll.ms', factor: 3_600_000 },
}

/** Options after defaults and validation; what the broker runs with. */
export interface ResolvedBrokerOptions {
  /** The first listener's port, host and advertised host. */
  port: number
  host: string
  advertisedHost: string
  /** Every listener; the first is the one `port`, `host` and `bootstrapServers` describe. */
  listeners: ListenerConfig[]
  /** TLS, SASL and authorization settings. */
  security: ResolvedSecurity
  storage: 'file' | 'memory' | LogStorage
  dataDir: string | undefined
  nodeId: number
  clusterId: string | undefined
  autoCreateTopics: boolean
  defaultPartitions: number
  maxRequestSize: number
  logger: BrokerLogger
  /** Static topic defaults, keyed by topic config name (`retention.ms`). */
  topicDefaults: Record<string, string>
  /** Every broker setting's value, and whether it was set explicitly. */
  settings: Map<string, { value: string; explicit: boolean }>
  retentionCheckIntervalMs: number
  cleanerIntervalMs: number
  flushCheckIntervalMs: number
  checkpointIntervalMs: number
  fetchSessionCacheSlots: number
  /** `log.verify.segments.on.startup`: check every stored batch's CRC when the logs open. */
  verifySegmentsOnStartup: boolean
  /** Connection limits: `max.connections`, `queued.max.requests`, `connections.max.idle.ms`, ... */
  connections: ConnectionLimits
}

function invalid(option: string, value: unknown, allowed: string): KafkaError {
  return new KafkaError(`Invalid broker option ${option}: ${JSON.stringify(value) ?? String(value)}; expected ${allowed}`, { code: 'INVALID_CONFIG' })
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(option, value, `an integer from ${min} to ${max}`)
  return value
}

function parseSetting(name: string, raw: string, min: number, max: number): number {
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
  return integer(`configs['${name}']`, Number.isNaN(n) ? raw : n, min, max)
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

/**
 * Applies defaults and checks every option once, before anything starts.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the option, the value and what is allowed.
 */
export function resolveBrokerOptions(options: BrokerOptions = {}): ResolvedBrokerOptions {
  const configs = { ...(options.configs ?? {}) }
  for (const [key, value] of Object.entries(configs)) {
    if (typeof value !== 'string') throw invalid(`configs['${key}']`, value, 'a string value, as in server.properties')
  }
  for (const [coarse, { target, factor }] of Object.entries(COARSE_TIME_CONFIGS)) {
    const raw = configs[coarse]
    if (raw === undefined) continue
    delete configs[coarse]
    if (configs[target] === undefined) configs[target] = String(parseSetting(coarse, raw, -1, Number.MAX_SAFE_INTEGER / factor) * factor)
  }
  const given = new Map<string, string>()
  const topicDefaultsGiven: Record<string, string> = {}
  for (const [key, value] of Object.entries(configs)) {
    const name = key === 'broker.id' ? 'node.id' : key === 'log.dir' ? 'log.dirs' : key
    if (BROKER_SETTINGS.has(name)) given.set(name, value)
    else if (TOPIC_CONFIG_DEFINITIONS.has(name) || [...TOPIC_CONFIG_DEFINITIONS.values()].some((d) => d.brokerSynonym === name)) topicDefaultsGiven[name] = value
    else throw new KafkaError(`Unknown broker config configs['${key}']: it is neither a topic default (log.retention.ms, message.max.bytes, ...) nor one of ${[...BROKER_SETTINGS.keys()].join(', ')}`, { code: 'INVALID_CONFIG' })
  }
  let topicDefaults: Record<string, string>
  try {
    topicDefaults = validateTopicConfigs(topicDefaultsGiven, true)
  } catch (err) {
    throw new KafkaError(`Invalid broker option configs: ${(err as Error).message}`, { code: 'INVALID_CONFIG', cause: err })
  }

  const storage = options.storage ?? 'file'
  const storageObject = typeof storage === 'object' && storage !== null && (storage.kind === 'file' || storage.kind === 'memory')
  if (storage !== 'file' && storage !== 'memory' && !storageObject) throw invalid('storage', storage, "'file', 'memory' or a LogStorage")
  const dataDir = options.dataDir ?? given.get('log.dirs')
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === '')) throw invalid('dataDir', dataDir, 'a directory path')
  if (storage === 'file' && dataDir === undefined) {
    throw new KafkaError("Invalid broker options: file storage needs dataDir; pass dataDir, or storage: 'memory' for a broker that keeps nothing", { code: 'INVALID_CONFIG' })
  }
  const host = options.host ?? '127.0.0.1'
  if (typeof host !== 'string' || host === '') throw invalid('host', host, 'a bind address such as 127.0.0.1 or 0.0.0.0')
  const advertisedHost = options.advertisedHost ?? (isWildcard(host) ? 'localhost' : host)
  if (typeof advertisedHost !== 'string' || advertisedHost === '' || isWildcard(advertisedHost)) throw invalid('advertisedHost', advertisedHost, 'a host name or address clients can connect to')
  const clusterId = options.clusterId
  if (clusterId !== undefined && (typeof clusterId !== 'string' || !/^[\w.-]{1,128}$/.test(clusterId))) {
    throw invalid('clusterId', clusterId, 'letters, digits, "_", "-" and "." (1 to 128 characters)')
  }
  const logger = options.logger ?? defaultBrokerLogger
  if (typeof logger !== 'object' || logger === null || ['info', 'warn', 'error'].some((k) => typeof (logger as unknown as Record<string, unknown>)[k] !== 'function')) {
    throw invalid('logger', typeof logger, 'an object with info, warn and error functions')
  }

  const INT_MAX = 2 ** 31 - 1
  const fromConfig = (name: string, min: number, max: number): number | undefined => {
    const raw = given.get(name)
    return raw === undefined ? undefined : parseSetting(name, raw, min, max)
  }
  const booleanConfig = (name: string): boolean | undefined => {
    const raw = given.get(name)?.trim().toLowerCase()
    if (raw === undefined) return undefined
    if (raw !== 'true' && raw !== 'false') throw invalid(`configs['${name}']`, raw, '"true" or "false"')
    return raw === 'true'
  }
  const port = integer('port', options.port ?? 9092, 0, 65535)
  const security = resolveSecurity(options, given, { host, port, advertisedHost: options.advertisedHost })
  const first = security.listeners[0]!
  const nodeId = integer('nodeId', options.nodeId ?? fromConfig('node.id', 0, INT_MAX) ?? 0, 0, INT_MAX)
  const autoCreateTopics = options.autoCreateTopics ?? booleanConfig('auto.create.topics.enable') ?? true
  if (typeof autoCreateTopics !== 'boolean') throw invalid('autoCreateTopics', autoCreateTopics, 'true or false')
  const defaultPartitions = integer('defaultPartitions', options.defaultPartitions ?? fromConfig('num.partitions', 1, INT_MAX) ?? 1, 1, 10_000)
  const maxRequestSize = integer('maxRequestSize', options.maxRequestSize ?? fromConfig('socket.request.max.bytes', 1, INT_MAX) ?? 104_857_600, 1, INT_MAX)
  if ((fromConfig('default.replication.factor', 1, INT_MAX) ?? 1) !== 1) throw invalid("configs['default.replication.factor']", given.get('default.replication.factor'), '1: there is one broker')

  const effective: Record<string, string | number | boolean | undefined> = {
    'node.id': nodeId,
    'auto.create.topics.enable': autoCreateTopics,
    'num.partitions': defaultPartitions,
    'socket.request.max.bytes': maxRequestSize,
    'log.dirs': dataDir ?? '',
  }
  const explicit: Record<string, boolean> = {
    'node.id': options.nodeId !== undefined,
    'auto.create.topics.enable': options.autoCreateTopics !== undefined,
    'num.partitions': options.defaultPartitions !== undefined,
    'socket.request.max.bytes': options.maxRequestSize !== undefined,
    'log.dirs': options.dataDir !== undefined,
  }
  const settings = new Map<string, { value: string; explicit: boolean }>()
  for (const s of BROKER_SETTINGS.values()) {
    const value = effective[s.name] ?? security.effective[s.name] ?? given.get(s.name) ?? s.default
    const changed = security.effective[s.name] !== undefined && security.effective[s.name] !== s.default
    settings.set(s.name, { value: String(value).trim(), explicit: given.has(s.name) || (explicit[s.name] ?? changed) })
  }
  const interval = (name: string) => parseSetting(name, settings.get(name)!.value, 0, INT_MAX)
  return {
    port: first.port,
    host: first.host,
    advertisedHost: first.advertisedHost,
    listeners: security.listeners,
    security,
    storage,
    dataDir,
    nodeId,
    clusterId,
    autoCreateTopics,
    defaultPartitions,
    maxRequestSize,
    logger,
    topicDefaults,
    settings,
    retentionCheckIntervalMs: interval('log.retention.check.interval.ms'),
    cleanerIntervalMs: interval('log.cleaner.backoff.ms'),
    flushCheckIntervalMs: interval('log.flush.scheduler.interval.ms'),
    checkpointIntervalMs: interval('log.flush.offset.checkpoint.interval.ms'),
    fetchSessionCacheSlots: parseSetting('max.incremental.fetch.session.cache.slots', settings.get('max.incremental.fetch.session.cache.slots')!.value, 0, 1_000_000),
    verifySegmentsOnStartup: booleanConfig('log.verify.segments.on.startup') ?? true,
    connections: connectionLimitsFromSettings(settings),
  }
}

import { logError } from './errors.js'

/**
 * Topic configs with Kafka's names, types, defaults and allowed values. Values arrive as strings (as
 * in CreateTopics and AlterConfigs), are validated here once, and are resolved into a typed
 * {@link TopicConfig} the log reads on its hot path.
 *
 * The table is hand-written rather than a zod schema because the inputs are Kafka's string configs,
 * each with a broker-level synonym and a describe form; a table serves all three.
 */

const LONG_MAX = '9223372036854775807'
const INT_MAX = 2 ** 31 - 1

type ConfigType = 'long' | 'int' | 'double' | 'boolean' | 'string' | 'list'

/** One topic config: its name, Kafka type, default, broker-level synonym and what it does here. */
export interface TopicConfigDefinition {
  readonly name: string
  readonly type: ConfigType
  /** Kafka's default, as DescribeConfigs shows it. */
  readonly default: string
  /** The broker config that supplies the default (`log.retention.ms` for `retention.ms`). */
  readonly brokerSynonym: string
  /** What is allowed, in words, for error messages. */
  readonly allowed: string
  /** False for configs that are accepted and stored but change nothing on a single-node broker. */
  readonly enforced: boolean
  readonly documentation: string
  /** Whether a parsed value is allowed. */
  readonly check: (value: number | string | boolean | string[]) => boolean
}

const atLeast = (min: number) => (v: unknown) => typeof v === 'number' && v >= min
const oneOf = (...values: string[]) => (v: unknown) => typeof v === 'string' && values.includes(v)
const anyValue = () => true

function def(
  name: string,
  type: ConfigType,
  dflt: string,
  brokerSynonym: string,
  allowed: string,
  check: TopicConfigDefinition['check'],
  documentation: string,
  enforced = true,
): TopicConfigDefinition {
  return { name, type, default: dflt, brokerSynonym, allowed, check, documentation, enforced }
}

/** Every topic config the broker accepts, by name. */
export const TOPIC_CONFIG_DEFINITIONS: ReadonlyMap<string, TopicConfigDefinition> = new Map(
  [
    def('cleanup.policy', 'list', 'delete', 'log.cleanup.policy', 'a list of "delete" and/or "compact"', (v) => Array.isArray(v) && v.length > 0 && v.every((p) => p === 'delete' || p === 'compact'), 'delete: remove old segments by retention; compact: keep the latest record per key'),
    def('compression.type', 'string', 'producer', 'compression.type', '"producer" (batches are stored as the producer compressed them)', oneOf('producer'), 'stored batches keep the compression the producer chose'),
    def('delete.retention.ms', 'long', '86400000', 'log.cleaner.delete.retention.ms', 'an integer >= 0', atLeast(0), 'how long tombstones stay in a compacted topic'),
    def('file.delete.delay.ms', 'long', '60000', 'log.segment.delete.delay.ms', 'an integer >= 0', atLeast(0), 'accepted for compatibility; segments are deleted at once', false),
    def('flush.messages', 'long', LONG_MAX, 'log.flush.interval.messages', 'an integer >= 1', atLeast(1), 'fsync after this many records'),
    def('flush.ms', 'long', LONG_MAX, 'log.flush.interval.ms', 'an integer >= 0', atLeast(0), 'fsync when unflushed data is this old'),
    def('follower.replication.throttled.replicas', 'list', '', '', 'a list of partition:broker pairs', anyValue, 'accepted for compatibility; there is one replica', false),
    def('index.interval.bytes', 'int', '4096', 'log.index.interval.bytes', `an integer from 0 to ${INT_MAX}`, atLeast(0), 'log bytes between offset index entries'),
    def('leader.replication.throttled.replicas', 'list', '', '', 'a list of partition:broker pairs', anyValue, 'accepted for compatibility; there is one replica', false),
    def('max.compaction.lag.ms', 'long', LONG_MAX, 'log.cleaner.max.compaction.lag.ms', 'an integer >= 1', atLeast(1), 'accepted; the cleaner runs on its own interval', false),
    def('max.message.bytes', 'int', '1048588', 'message.max.bytes', `an integer from 0 to ${INT_MAX}`, atLeast(0), 'the largest record batch accepted, in bytes'),
    def('message.downconversion.enable', 'boolean', 'true', 'log.message.downconversion.enable', '"true" or "false"', anyValue, 'accepted for compatibility; batches are never down-converted', false),
    def('message.timestamp.after.max.ms', 'long', LONG_MAX, 'log.message.timestamp.after.max.ms', 'an integer >= 0', atLeast(0), 'how far ahead of the broker clock a CreateTime timestamp may be'),
    def('message.timestamp.before.max.ms', 'long', LONG_MAX, 'log.message.timestamp.before.max.ms', 'an integer >= 0', atLeast(0), 'how far behind the broker clock a CreateTime timestamp may be'),
    def('message.timestamp.difference.max.ms', 'long', LONG_MAX, 'log.message.timestamp.difference.max.ms', 'an integer >= 0', atLeast(0), 'accepted for compatibility; use message.timestamp.before/after.max.ms', false),
    def('message.timestamp.type', 'string', 'CreateTime', 'log.message.timestamp.type', '"CreateTime" or "LogAppendTime"', oneOf('CreateTime', 'LogAppendTime'), 'whose clock stamps records'),
    def('min.cleanable.dirty.ratio', 'double', '0.5', 'log.cleaner.min.cleanable.ratio', 'a number from 0 to 1', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'the share of uncleaned log that triggers compaction'),
    def('min.compaction.lag.ms', 'long', '0', 'log.cleaner.min.compaction.lag.ms', 'an integer >= 0', atLeast(0), 'segments newer than this are not compacted'),
    def('min.insync.replicas', 'int', '1', 'min.insync.replicas', `an integer from 1 to ${INT_MAX}`, atLeast(1), 'acks=all fails with NOT_ENOUGH_REPLICAS when above the replica count (1)'),
    def('preallocate', 'boolean', 'false', 'log.preallocate', '"true" or "false"', anyValue, 'accepted for compatibility; segments grow as written', false),
    def('retention.bytes', 'long', '-1', 'log.retention.bytes', 'an integer (-1 for no limit)', anyValue, 'the partition size above which the oldest segments are deleted'),
    def('retention.ms', 'long', '604800000', 'log.retention.ms', 'an integer >= -1 (-1 for no limit)', atLeast(-1), 'how long segments are kept after their newest record'),
    def('segment.bytes', 'int', '1073741824', 'log.segment.bytes', `an integer from 14 to ${INT_MAX}`, atLeast(14), 'the size at which a segment rolls'),
    def('segment.index.bytes', 'int', '10485760', 'log.index.size.max.bytes', `an integer from 4 to ${INT_MAX}`, atLeast(4), 'the size limit of each index file; a full index rolls the segment'),
    def('segment.ms', 'long', '604800000', 'log.roll.ms', 'an integer >= 1', atLeast(1), 'the age at which a segment rolls'),
    def('unclean.leader.election.enable', 'boolean', 'false', 'unclean.leader.election.enable', '"true" or "false"', anyValue, 'accepted for compatibility; there is one replica', false),
  ].map((d) => [d.name, d]),
)

/** Broker config name → topic config name, for defaults given under Kafka's broker names. */
const BY_BROKER_NAME = new Map([...TOPIC_CONFIG_DEFINITIONS.values()].filter((d) => d.brokerSynonym).map((d) => [d.brokerSynonym, d.name]))

/** The resolved configs of one topic, typed for the log. int64 values are numbers (Long.MAX ≈ 9.2e18). */
export interface TopicConfig {
  cleanupPolicy: { delete: boolean; compact: boolean }
  retentionMs: number
  retentionBytes: number
  segmentBytes: number
  segmentMs: number
  maxMessageBytes: number
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  messageTimestampBeforeMaxMs: number
  messageTimestampAfterMaxMs: number
  flushMessages: number
  flushMs: number
  minInsyncReplicas: number
  deleteRetentionMs: number
  minCompactionLagMs: number
  minCleanableDirtyRatio: number
  segmentIndexBytes: number
  indexIntervalBytes: number
}

/** A config value as DescribeConfigs reports it. */
export interface ConfigEntry {
  name: string
  value: string
  /** `'topic'`: set on the topic; `'broker'`: the broker's default was changed; `'default'`: Kafka's. */
  source: 'topic' | 'broker' | 'default'
  isDefault: boolean
  readOnly: boolean
  sensitive: boolean
  type: string
  documentation: string
}

function parseValue(d: TopicConfigDefinition, raw: string): number | string | boolean | string[] {
  const text = raw.trim()
  switch (d.type) {
    case 'long':
    case 'int': {
      if (!/^-?\d+$/.test(text)) return Number.NaN
      const big = BigInt(text)
      const [lo, hi] = d.type === 'int' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n]
      return big < lo || big > hi ? Number.NaN : Number(big)
    }
    case 'double':
      return text === '' ? Number.NaN : Number(text)
    case 'boolean':
      return text.toLowerCase() === 'true' ? true : text.toLowerCase() === 'false' ? false : 'invalid'
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim())
    case 'string':
      return text
  }
}

function checked(d: TopicConfigDefinition, raw: string): number | string | boolean | string[] {
  const value = parseValue(d, raw)
  const typeOk = d.type === 'boolean' ? typeof value === 'boolean' : typeof value !== 'number' || Number.isFinite(value)
  if (!typeOk || !d.check(value)) {
    throw logError('INVALID_CONFIG', `Invalid value "${raw}" for config ${d.name}: expected ${d.allowed}`)
  }
  return value
}

/**
 * Validates config overrides (topic names, or broker synonyms when `allowBrokerNames`), returning
 * them keyed by topic config name with values trimmed.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the key, the value and what is allowed.
 * @example
 * ```ts
 * validateTopicConfigs({ 'retention.ms': '60000' }) // { 'retention.ms': '60000' }
 * validateTopicConfigs({ 'retention.ms': 'soon' })  // throws: Invalid value "soon" for config retention.ms ...
 * ```
 */
export function validateTopicConfigs(entries: Readonly<Record<string, string>>, allowBrokerNames = false): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, raw] of Object.entries(entries)) {
    const name = TOPIC_CONFIG_DEFINITIONS.has(key) ? key : allowBrokerNames ? BY_BROKER_NAME.get(key) : undefined
    const d = name === undefined ? undefined : TOPIC_CONFIG_DEFINITIONS.get(name)
    if (!d) throw logError('INVALID_CONFIG', `Unknown topic config name: ${key}`)
    if (typeof raw !== 'string') throw logError('INVALID_CONFIG', `Invalid value ${String(raw)} for config ${key}: expected a string`)
    checked(d, raw)
    out[d.name] = raw.trim()
  }
  return out
}

/**
 * The typed configs of a topic: its overrides, else the broker defaults, else Kafka's defaults.
 * Inputs must have passed {@link validateTopicConfigs}.
 */
export function resolveTopicConfig(overrides: Readonly<Record<string, string>>, brokerDefaults: Readonly<Record<string, string>> = {}): TopicConfig {
  const get = (name: string) => {
    const d = TOPIC_CONFIG_DEFINITIONS.get(name)!
    return checked(d, overrides[name] ?? brokerDefaults[name] ?? d.default)
  }
  const policies = get('cleanup.policy') as string[]
  return {
    cleanupPolicy: { delete: policies.includes('delete'), compact: policies.includes('compact') },
    retentionMs: get('retention.ms') as number,
    retentionBytes: get('retention.bytes') as number,
    segmentBytes: get('segment.bytes') as number,
    segmentMs: get('segment.ms') as number,
    maxMessageBytes: get('max.message.bytes') as number,
    messageTimestampType: get('message.timestamp.type') as TopicConfig['messageTimestampType'],
    messageTimestampBeforeMaxMs: get('message.timestamp.before.max.ms') as number,
    messageTimestampAfterMaxMs: get('message.timestamp.after.max.ms') as number,
    flushMessages: get('flush.messages') as number,
    flushMs: get('flush.ms') as number,
    minInsyncReplicas: get('min.insync.replicas') as number,
    deleteRetentionMs: get('delete.retention.ms') as number,
    minCompactionLagMs: get('min.compaction.lag.ms') as number,
    minCleanableDirtyRatio: get('min.cleanable.dirty.ratio') as number,
    segmentIndexBytes: get('segment.index.bytes') as number,
    indexIntervalBytes: get('index.interval.bytes') as number,
  }
}

/**
 * Every topic config with its effective value and where it comes from, sorted by name: what a
 * DescribeConfigs handler answers for a topic (map `source` to Kafka's DYNAMIC_TOPIC_CONFIG (1),
 * STATIC_BROKER_CONFIG (4) and DEFAULT_CONFIG (5)).
 */
export function describeTopicConfigs(overrides: Readonly<Record<string, string>>, brokerDefaults: Readonly<Record<string, string>> = {}): ConfigEntry[] {
  return [...TOPIC_CONFIG_DEFINITIONS.values()]
    .map((d): ConfigEntry => {
      const source = overrides[d.name] !== undefined ? 'topic' : brokerDefaults[d.name] !== undefined ? 'broker' : 'default'
      const value = overrides[d.name] ?? brokerDefaults[d.name] ?? d.default
      return { name: d.name, value, source, isDefault: source === 'default', readOnly: false, sensitive: false, type: d.type, documentation: d.documentation }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

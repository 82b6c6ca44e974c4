import { encodeRecordBatch, type FieldSchema } from '@tributary/protocol'

/** Names the seeds use, so that requests reach real topics, groups and transactions, not only errors. */
export interface Vocabulary {
  topics: readonly string[]
  /** Partition indexes, beyond the real ones too. */
  partitions: readonly number[]
  groups: readonly string[]
  transactionalIds: readonly string[]
  /** Topic config names and plausible values. */
  configs: readonly (readonly [string, string])[]
}

/** The names a fuzz run's seeds draw from; the broker is prepared with these topics. */
export const DEFAULT_VOCABULARY: Vocabulary = {
  topics: ['fuzz-a', 'fuzz-b', 'fuzz-compact'],
  partitions: [0, 1, 2, 3, -1],
  groups: ['fuzz-group-1', 'fuzz-group-2'],
  transactionalIds: ['fuzz-txn-1', 'fuzz-txn-2'],
  configs: [
    ['retention.ms', '604800000'],
    ['retention.bytes', '-1'],
    ['cleanup.policy', 'compact'],
    ['max.message.bytes', '1048588'],
    ['message.timestamp.type', 'LogAppendTime'],
    ['min.insync.replicas', '1'],
  ],
}

const INTERESTING_INTS = [0, 1, -1, 2, 100, 0x7fff, -0x8000, 0x7fffffff, -0x80000000, 1000]

/**
 * Builds a complete request value for one version from the message schema, as a client would send
 * it: every field present in the version gets a value, drawn from the vocabulary where the field's
 * name says what it holds (topic and group names, partition indexes, record batches, config
 * entries), otherwise a random value of its type, now and then an edge value (0, -1, the type's
 * limits) or null where the version allows null. Arrays hold 0 to 3 elements.
 */
export function buildRequestValue(fields: readonly FieldSchema[], version: number, rnd: () => number, words: Vocabulary, parent = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  // A config entry's name and value are a config's, not a topic's.
  const inConfigs = parent.toLowerCase().includes('config')
  const config = pick(words.configs, rnd)
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue
    if (inRange(field.nullable, version) && rnd() < 0.1) {
      out[field.name] = null
      continue
    }
    if (inConfigs && field.type === 'string' && (field.name === 'name' || field.name === 'value')) out[field.name] = field.name === 'name' ? config[0] : config[1]
    else out[field.name] = valueFor(field, version, rnd, words)
  }
  return out
}

function valueFor(field: FieldSchema, version: number, rnd: () => number, words: Vocabulary): unknown {
  const type = field.type
  if (type === 'struct') return buildRequestValue(field.fields!, version, rnd, words, field.name)
  if (type.startsWith('[]')) {
    const count = Math.floor(rnd() * 4)
    const element = type.slice(2)
    return Array.from({ length: count }, () =>
      element === 'struct' ? buildRequestValue(field.fields!, version, rnd, words, field.name) : primitive(element, field.name, rnd, words),
    )
  }
  return primitive(type, field.name, rnd, words)
}

function pick<T>(items: readonly T[], rnd: () => number): T {
  return items[Math.floor(rnd() * items.length)]!
}

function primitive(type: string, name: string, rnd: () => number, words: Vocabulary): unknown {
  const n = name.toLowerCase()
  switch (type) {
    case 'string':
      if (n === 'topic' || n === 'name' || n.endsWith('topicname') || n === 'resourcename') return pick(words.topics, rnd)
      if (n.includes('group')) return pick(words.groups, rnd)
      if (n.includes('transactionalid')) return pick(words.transactionalIds, rnd)
      if (n === 'key' || n.includes('coordinatorkey')) return rnd() < 0.5 ? pick(words.groups, rnd) : pick(words.transactionalIds, rnd)
      if (n.includes('configurationkey')) return pick(words.configs, rnd)[0]
      if (n === 'value' || n === 'configvalue') return pick(words.configs, rnd)[1]
      if (n.includes('memberid')) return rnd() < 0.5 ? '' : `member-${Math.floor(rnd() * 3)}`
      if (n.includes('protocoltype')) return 'consumer'
      return randomText(rnd)
    case 'records':
    case 'bytes':
      if (type === 'records' || n === 'records') return recordBatch(rnd)
      return Buffer.from(Array.from({ length: Math.floor(rnd() * 16) }, () => Math.floor(rnd() * 256)))
    case 'bool':
      return rnd() < 0.5
    case 'int8':
      return Math.floor(rnd() * 4) - 1
    case 'int16':
      if (n === 'acks') return pick([-1, 0, 1], rnd)
      return rnd() < 0.2 ? pick([0, 1, -1, 0x7fff], rnd) : Math.floor(rnd() * 5)
    case 'uint16':
      return Math.floor(rnd() * 65536)
    case 'int32':
      return int32For(n, rnd, words)
    case 'uint32':
      return Math.floor(rnd() * 2 ** 32)
    case 'int64':
      if (n.includes('offset')) return BigInt(Math.floor(rnd() * 50) - (rnd() < 0.1 ? 3 : 0))
      if (n.includes('producerid')) return rnd() < 0.5 ? -1n : BigInt(Math.floor(rnd() * 5))
      return rnd() < 0.2 ? pick([0n, -1n, 2n ** 63n - 1n], rnd) : BigInt(Math.floor(rnd() * 1e6))
    case 'float64':
      return rnd() * 10
    case 'uuid':
      return rnd() < 0.5 ? '00000000-0000-0000-0000-000000000000' : randomUuid(rnd)
    default:
      throw new Error(`The fuzzer does not know the schema type ${type}`)
  }
}

function int32For(name: string, rnd: () => number, words: Vocabulary): number {
  if (name === 'partition' || name === 'partitionindex' || name === 'index' || name === 'partitions') return pick(words.partitions, rnd)
  if (name.includes('timeout') || name.includes('maxwait')) return pick([0, 10, 100, 1_000, -1], rnd)
  if (name.includes('bytes')) return pick([0, 1, 1024, 1 << 20, 0x7fffffff], rnd)
  if (name === 'count' || name.includes('numpartitions')) return pick([1, 2, 3, -1], rnd)
  if (name.includes('replicationfactor')) return pick([1, -1, 3], rnd)
  if (name.includes('generation') || name.includes('epoch')) return Math.floor(rnd() * 4) - 1
  if (name.includes('resourcetype')) return pick([2, 4, 0, 3], rnd)
  return rnd() < 0.3 ? pick(INTERESTING_INTS, rnd) : Math.floor(rnd() * 200)
}

function recordBatch(rnd: () => number): Buffer {
  const count = 1 + Math.floor(rnd() * 3)
  const records = Array.from({ length: count }, (_, i) => ({
    key: rnd() < 0.5 ? null : Buffer.from(`k${i}`),
    value: Buffer.from(randomText(rnd)),
    headers: rnd() < 0.3 ? [{ key: 'h', value: Buffer.from('v') }] : [],
  }))
  const idempotent = rnd() < 0.3
  return encodeRecordBatch({
    records,
    compression: pick(['none', 'none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, rnd),
    ...(idempotent ? { producerId: BigInt(Math.floor(rnd() * 5)), producerEpoch: 0, baseSequence: Math.floor(rnd() * 10) } : {}),
  })
}

function randomText(rnd: () => number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz-_.0123456789'
  return Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('')
}

function randomUuid(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function inRange(range: readonly [number, number] | null | undefined, v: number): boolean {
  return range != null && v >= range[0] && v <= range[1]
}

import type { RecordHeader } from '@tributary/protocol'

/** A partition of a topic. */
export interface TopicPartition {
  topic: string
  partition: number
}

/**
 * An offset for a partition, as `commit` and `seek` take it. As everywhere in Kafka, a committed offset
 * is the offset of the *next* record to read (the last processed record's offset + 1).
 */
export interface TopicPartitionOffset extends TopicPartition {
  /** A bigint, a safe integer number, or a decimal string. */
  offset: bigint | number | string
  /** Free-form metadata stored with a commit (Kafka's `OffsetAndMetadata.metadata`). */
  metadata?: string | null
}

/** A committed offset as {@link Consumer.committed} reports it. */
export interface CommittedOffset extends TopicPartition {
  /** The next offset the group will read, or null when the group has committed nothing for the partition. */
  offset: bigint | null
  metadata: string | null
  /** The leader epoch recorded with the commit, or -1. */
  leaderEpoch: number
}

/** How far a partition's consumption lags behind its log, as {@link Consumer.lag} reports it. */
export interface PartitionLag extends TopicPartition {
  /** The next offset this consumer will deliver, or null while it is not known yet. */
  position: bigint | null
  /**
   * The end of what this consumer may read, from the latest fetch response: the last stable offset
   * with `read_committed`, the high watermark with `read_uncommitted`. Null before the first fetch.
   */
  endOffset: bigint | null
  /** `endOffset - position` (at least 0), or null when either is unknown. */
  lag: bigint | null
}

/** Whether a record's timestamp was set by its producer or by the broker when appending. */
export type TimestampType = 'CreateTime' | 'LogAppendTime'

/**
 * One consumed record. `key` and `value` are Buffers (views into the fetched bytes, valid as long as
 * the record is referenced) unless deserializers are configured.
 */
export interface ConsumerRecord<K = Buffer | null, V = Buffer | null> {
  topic: string
  partition: number
  offset: bigint
  key: K
  value: V
  /**
   * Headers by key. A key that occurs several times maps to its last value; see `headerList` for every
   * header in order. A header written without a value is `null`.
   */
  headers: Readonly<Record<string, Buffer | null>>
  /** Every header, in the order the producer wrote them, repeated keys included. */
  headerList: readonly RecordHeader[]
  /** Milliseconds since the epoch. */
  timestamp: number
  timestampType: TimestampType
  /** The partition leader epoch of the batch the record came from, when the broker records one. */
  leaderEpoch: number | undefined
}

/** The key under which per-partition state is kept: topic names cannot contain ':'. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`
}

/** Sorted copy of a partition list: by topic, then partition. */
export function sortPartitions<T extends TopicPartition>(list: Iterable<T>): T[] {
  return [...list].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}

/** Groups partitions by topic, topics and partitions sorted. */
export function byTopic(list: Iterable<TopicPartition>): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  for (const { topic, partition } of list) {
    let parts = groups.get(topic)
    if (!parts) groups.set(topic, (parts = []))
    parts.push(partition)
  }
  const out = new Map<string, number[]>()
  for (const topic of [...groups.keys()].sort()) out.set(topic, groups.get(topic)!.sort((a, b) => a - b))
  return out
}

/** `orders-0, orders-1, payments-3` for logs and error messages. */
export function formatPartitions(list: Iterable<TopicPartition>): string {
  const sorted = sortPartitions(list)
  return sorted.length === 0 ? '(none)' : sorted.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')
}

/** Parses an offset given as bigint, number or decimal string. */
export function toOffset(value: bigint | number | string, what: string): number {
  let n: number
  if (typeof value === 'bigint') n = Number(value)
  else if (typeof value === 'number') n = value
  else n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Invalid offset ${String(value)} for ${what}: expected a non-negative integer below 2^53`)
  return n
}

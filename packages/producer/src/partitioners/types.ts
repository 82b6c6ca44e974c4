import type { ProducerKey, ProducerRecord, ProducerValue } from '../record.js'

/** What a partitioner function is told besides the record. */
export interface PartitionContext {
  topic: string
  /** How many partitions the topic has; the answer must be from 0 to `partitions - 1`. */
  partitions: number
  /** The partitions that currently have a leader, ascending. */
  availablePartitions: readonly number[]
  /** The key as the key serializer wrote it (null when there is none). */
  keyBytes: Buffer | null
}

/**
 * A custom partitioner: picks the partition of a record that names none. Called with the record as
 * `send` received it (after interceptors, before serialization) and the topic's partition count.
 *
 * @example
 * ```ts
 * const byRegion: PartitionerFunction<string, Order> = (record, { partitions }) => (record.value.region === 'eu' ? 0 : 1 + (record.value.id.length % (partitions - 1)))
 * const producer = new Producer({ bootstrapServers, partitioner: byRegion, valueSerializer: jsonSerde<Order>() })
 * ```
 */
export type PartitionerFunction<K = ProducerKey, V = ProducerValue> = (record: ProducerRecord<K, V>, ctx: PartitionContext) => number

/** A topic's partitions as the partitioners need them. */
export interface TopicPartitions {
  topic: string
  count: number
  available: readonly number[]
}

/**
 * The producer's partitioning strategy. `partition` chooses for a record without an explicit partition.
 * `onNewBatch` is called when a record placed by `partition` would start a new batch in `partition`;
 * it returns the partition to use instead (the sticky partitioner moves on then, as KIP-480 describes).
 */
export interface Partitioner {
  partition(record: ProducerRecord<unknown, unknown>, keyBytes: Buffer | null, topic: TopicPartitions): number
  onNewBatch?(topic: TopicPartitions, partition: number): number
}

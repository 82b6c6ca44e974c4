import { murmur2, toPositive } from '@tributary/protocol'
import type { ProducerRecord } from '../record.js'
import { StickyPartitioner } from './sticky.js'
import type { Partitioner, TopicPartitions } from './types.js'

/**
 * The default partitioner, as the Java client's: a keyed record goes to
 * `toPositive(murmur2(keyBytes)) % partitions` (over all partitions, available or not, so a key always
 * maps to the same partition), a record without a key to the sticky partition (KIP-480).
 * Records naming their partition never reach a partitioner.
 *
 * @example
 * ```ts
 * new Murmur2Partitioner().partition(record, Buffer.from('customer-42'), { topic: 'orders', count: 12, available })
 * ```
 */
export class Murmur2Partitioner implements Partitioner {
  private readonly sticky: StickyPartitioner

  constructor(random?: () => number) {
    this.sticky = new StickyPartitioner(random)
  }

  partition(_record: ProducerRecord<unknown, unknown>, keyBytes: Buffer | null, topic: TopicPartitions): number {
    if (keyBytes !== null) return toPositive(murmur2(keyBytes)) % topic.count
    return this.sticky.partition(topic)
  }

  onNewBatch(topic: TopicPartitions, partition: number): number {
    return this.sticky.onNewBatch(topic, partition)
  }
}

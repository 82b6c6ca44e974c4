import type { Partitioner, TopicPartitions } from './types.js'

/**
 * Every partition in turn, per topic, whatever the key (as Java's RoundRobinPartitioner): records are
 * spread evenly, at the cost of smaller batches than the sticky partitioner makes. Partitions without a
 * leader are skipped while any partition has one.
 *
 * @example
 * ```ts
 * const producer = new Producer({ bootstrapServers, partitioner: 'round-robin' })
 * ```
 */
export class RoundRobinPartitioner implements Partitioner {
  private readonly counters = new Map<string, number>()

  partition(_record: unknown, _keyBytes: Buffer | null, topic: TopicPartitions): number {
    const next = this.counters.get(topic.topic) ?? 0
    this.counters.set(topic.topic, next + 1 >= 0x40000000 ? 0 : next + 1)
    const available = topic.available
    if (available.length > 0) return available[next % available.length]!
    return next % topic.count
  }
}

import type { ProducerRecord } from '../record.js'
import { Murmur2Partitioner } from './murmur2.js'
import { RoundRobinPartitioner } from './round-robin.js'
import type { Partitioner, PartitionerFunction, TopicPartitions } from './types.js'

/** The partitioner for the `partitioner` option: a name, or a user function checked on every call. */
export function createPartitioner(option: 'murmur2' | 'round-robin' | PartitionerFunction<any, any>): Partitioner {
  if (option === 'murmur2') return new Murmur2Partitioner()
  if (option === 'round-robin') return new RoundRobinPartitioner()
  return new FunctionPartitioner(option)
}

class FunctionPartitioner implements Partitioner {
  constructor(private readonly fn: PartitionerFunction<any, any>) {}

  partition(record: ProducerRecord<unknown, unknown>, keyBytes: Buffer | null, topic: TopicPartitions): number {
    const p = this.fn(record, { topic: topic.topic, partitions: topic.count, availablePartitions: topic.available, keyBytes })
    if (!Number.isInteger(p) || p < 0 || p >= topic.count) {
      throw new RangeError(`The partitioner returned ${String(p)} for a record of topic "${topic.topic}", which has partitions 0 to ${topic.count - 1}`)
    }
    return p
  }
}

import type { Admin } from '@tributary/client'
import { messageOf } from './arguments.js'

/**
 * The partitions of `topic`, sorted; throws `topic T does not exist` (or the broker's reason) so
 * produce and consume fail at once instead of waiting for a topic that never appears.
 */
export async function partitionsOf(admin: Admin, topic: string): Promise<number[]> {
  let described
  try {
    ;[described] = await admin.describeTopics([topic])
  } catch (err) {
    const message = messageOf(err)
    throw new Error(/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition|unknown topic/i.test(message) ? `topic ${topic} does not exist` : `describing topic ${topic} failed: ${message}`)
  }
  if (!described) throw new Error(`topic ${topic} does not exist`)
  return described.partitions.map((p) => p.partition).sort((a, b) => a - b)
}

/** Checks that `partition` is one of the topic's. */
export function checkPartition(topic: string, partitions: readonly number[], partition: number | undefined): void {
  if (partition !== undefined && !partitions.includes(partition)) throw new Error(`topic ${topic} has no partition ${partition} (it has ${partitions.length})`)
}

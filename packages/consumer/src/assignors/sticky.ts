import { Reader, Writer } from '@tributary/protocol'
import { byTopic, type TopicPartition } from '../record.js'
import type { Assignor, AssignmentContext, MemberAssignment, SubscriptionContext } from './assignor.js'
import { stickyAssign, type OwnershipClaim } from './balance.js'

/**
 * Kafka's `sticky` assignor (eager): balanced like `roundrobin`, but partitions stay with their
 * previous owners as far as balance allows, so a rebalance moves few of them. Members revoke all
 * partitions before rejoining (eager), so each member carries its previous assignment in its
 * subscription's user data, in the format Java's `StickyAssignor` uses (`StickyAssignorUserData` v1:
 * the partitions by topic, then the generation), which lets Java members share the group.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', partitionAssignmentStrategy: ['sticky'] })
 * ```
 */
export const stickyAssignor: Assignor = {
  name: 'sticky',
  protocol: 'eager',
  subscriptionUserData({ lastAssignment, generationId }: SubscriptionContext): Buffer {
    return encodeStickyUserData(lastAssignment, generationId)
  },
  assign(context: AssignmentContext): Map<string, MemberAssignment> {
    const claims = new Map<string, OwnershipClaim>()
    for (const m of context.members) {
      const fromUserData = m.userData && m.userData.length > 0 ? decodeStickyUserData(m.userData) : null
      claims.set(m.memberId, fromUserData ?? { partitions: m.ownedPartitions, generationId: m.generationId })
    }
    return stickyAssign(context, claims)
  },
}

/** `StickyAssignorUserData` v1: `[topic string, partitions [int32]]`, then `generation int32`. */
export function encodeStickyUserData(partitions: readonly TopicPartition[], generationId: number): Buffer {
  const w = new Writer()
  const topics = byTopic(partitions)
  w.int32(topics.size)
  for (const [topic, parts] of topics) {
    w.string(topic)
    w.int32(parts.length)
    for (const p of parts) w.int32(p)
  }
  w.int32(generationId)
  return w.toBuffer()
}

/** Reads `StickyAssignorUserData` v0 (no generation) or v1; null when the bytes are not in that format. */
export function decodeStickyUserData(bytes: Buffer): OwnershipClaim | null {
  try {
    const r = new Reader(bytes)
    const partitions: TopicPartition[] = []
    const topicCount = r.int32()
    if (topicCount < 0) return null
    for (let t = 0; t < topicCount; t++) {
      const topic = r.string()
      const count = r.int32()
      for (let i = 0; i < count; i++) partitions.push({ topic, partition: r.int32() })
    }
    const generationId = r.remaining >= 4 ? r.int32() : -1
    return { partitions, generationId }
  } catch {
    return null
  }
}

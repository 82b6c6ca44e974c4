import { compareMembers, emptyAssignment, type Assignor, type AssignmentContext, type MemberAssignment } from './assignor.js'

/**
 * Kafka's `roundrobin` assignor (eager): every partition of every subscribed topic, sorted by topic
 * and partition, dealt in turn to the members (sorted by member id, instance id for static members),
 * skipping members not subscribed to the partition's topic. Balances best when all members subscribe
 * to the same topics. The same as Java's `RoundRobinAssignor` and librdkafka's `roundrobin`.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', partitionAssignmentStrategy: ['roundrobin'] })
 * ```
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  protocol: 'eager',
  assign({ members, partitionsPerTopic }: AssignmentContext): Map<string, MemberAssignment> {
    const result = emptyAssignment(members)
    const ring = [...members].sort(compareMembers)
    if (ring.length === 0) return result
    let next = 0
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!ring.some((m) => m.topics.includes(topic))) continue
      for (let p = 0; p < count; p++) {
        while (!ring[next % ring.length]!.topics.includes(topic)) next++
        result.get(ring[next % ring.length]!.memberId)!.partitions.push({ topic, partition: p })
        next++
      }
    }
    return result
  },
}

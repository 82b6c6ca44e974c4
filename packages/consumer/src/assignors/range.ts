import { compareMembers, emptyAssignment, type Assignor, type AssignmentContext, type MemberAssignment } from './assignor.js'

/**
 * Kafka's `range` assignor (eager): topic by topic, the partitions are split into contiguous ranges
 * over the members subscribed to the topic, ordered by member id (instance id for static members);
 * the first `partitions % members` members get one extra. Partition p of every topic lands on the
 * same member when all members subscribe to the same topics (co-partitioning), which is why it is
 * Kafka's traditional default. The same as Java's `RangeAssignor`, librdkafka's `range` and kafkajs'.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', partitionAssignmentStrategy: ['range'] })
 * ```
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  protocol: 'eager',
  assign({ members, partitionsPerTopic }: AssignmentContext): Map<string, MemberAssignment> {
    const result = emptyAssignment(members)
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers)
      if (subscribers.length === 0) continue
      const base = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      subscribers.forEach((member, i) => {
        const start = base * i + Math.min(i, extra)
        const length = base + (i < extra ? 1 : 0)
        const target = result.get(member.memberId)!.partitions
        for (let p = start; p < start + length; p++) target.push({ topic, partition: p })
      })
    }
    return result
  },
}

import type { TopicPartition } from '../record.js'

/**
 * How members give up partitions during a rebalance:
 * - `eager`: every member revokes all its partitions before rejoining, and the new assignment is
 *   computed from scratch (`range`, `roundrobin`, `sticky`).
 * - `cooperative` (KIP-429): members keep their partitions while rejoining; only partitions that move
 *   are revoked, and a second rebalance hands them to their new owners (`cooperative-sticky`).
 */
export type RebalanceProtocol = 'eager' | 'cooperative'

/** A group member as the leader sees it when assigning: its subscription, from its JoinGroup metadata. */
export interface AssignorMember {
  memberId: string
  /** The static member id (`groupInstanceId`), when the member has one. */
  groupInstanceId: string | null
  /** Topics the member subscribes to. */
  topics: string[]
  /** Assignor-specific bytes the member attached to its subscription for this assignor. */
  userData: Buffer | null
  /** Partitions the member owns as it joins (subscription v1+; empty for eager members). */
  ownedPartitions: TopicPartition[]
  /** The generation in which the member last owned them (subscription v2+), or -1. */
  generationId: number
  /** The member's rack (subscription v3+), or null. */
  rackId: string | null
}

/** What an assignor gets: every member, and the partition count of every topic anyone subscribes to. */
export interface AssignmentContext {
  /** Sorted by member id. */
  members: readonly AssignorMember[]
  /** Partition counts of the subscribed topics that exist (a missing topic is absent). */
  partitionsPerTopic: ReadonlyMap<string, number>
}

/** One member's share of an assignment. */
export interface MemberAssignment {
  partitions: TopicPartition[]
  /** Assignor-specific bytes sent to the member with its partitions. */
  userData?: Buffer | null
}

/** What a member tells its assignor when building its subscription. */
export interface SubscriptionContext {
  topics: readonly string[]
  /** The partitions this member was last assigned (also while eager revocation has emptied its ownership). */
  lastAssignment: readonly TopicPartition[]
  /** The generation of that assignment, or -1. */
  generationId: number
}

/**
 * A partition assignment strategy. The `name` is the protocol name sent in JoinGroup: members of one
 * group must agree on it, so the built-in ones use Kafka's standard names and interoperate with Java,
 * librdkafka (kcat, confluent-kafka-*), kafkajs and franz-go members of the same group.
 *
 * @example
 * ```ts
 * // Everything to the member with the smallest id: a hot-standby group.
 * const activeStandby: Assignor = {
 *   name: 'active-standby',
 *   protocol: 'eager',
 *   assign({ members, partitionsPerTopic }) {
 *     const [active] = members
 *     const partitions = [...partitionsPerTopic].flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => ({ topic, partition })))
 *     return new Map(members.map((m) => [m.memberId, { partitions: m === active ? partitions : [] }]))
 *   },
 * }
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', partitionAssignmentStrategy: [activeStandby] })
 * ```
 */
export interface Assignor {
  /** The protocol name in JoinGroup, e.g. `'range'`. */
  readonly name: string
  /** Whether members using this assignor rebalance eagerly or cooperatively. */
  readonly protocol: RebalanceProtocol
  /** Bytes to attach to this member's subscription (default none). */
  subscriptionUserData?(context: SubscriptionContext): Buffer | null
  /**
   * Computes the assignment: every member id mapped to its partitions. Must be deterministic and must
   * assign each partition to at most one member subscribed to its topic. Members missing from the
   * result get nothing.
   */
  assign(context: AssignmentContext): Map<string, MemberAssignment>
}

/** Every partition of `topic`, in order. */
export function partitionsOf(topic: string, count: number): TopicPartition[] {
  const out: TopicPartition[] = new Array(count)
  for (let p = 0; p < count; p++) out[p] = { topic, partition: p }
  return out
}

/** Members ordered as Kafka's range assignor orders them: by instance id when both have one, else member id. */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const x = a.groupInstanceId ?? a.memberId
  const y = b.groupInstanceId ?? b.memberId
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return x < y ? -1 : x > y ? 1 : 0
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

/** An empty assignment for every member, to be filled in. */
export function emptyAssignment(members: readonly AssignorMember[]): Map<string, MemberAssignment> {
  return new Map(members.map((m) => [m.memberId, { partitions: [] as TopicPartition[] }]))
}

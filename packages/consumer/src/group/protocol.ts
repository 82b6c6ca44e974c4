import { ConsumerProtocolAssignmentCodec, ConsumerProtocolSubscriptionCodec, DecodeError, Reader, Writer } from '@tributary/protocol'
import { byTopic, type TopicPartition } from '../record.js'

/**
 * The consumer protocol: what members of a `consumer` group put in JoinGroup metadata (their
 * subscription) and what the leader sends back through SyncGroup (each member's assignment). Both are
 * an int16 version followed by the versioned structure. Newer versions only append fields, so a
 * structure of a version above the newest known one is read as the newest known one, as Kafka does.
 */

/** The consumer protocol version this client writes (v3: owned partitions, generation and rack). */
export const CONSUMER_PROTOCOL_VERSION = 3

/** A member's subscription, decoded. */
export interface Subscription {
  version: number
  topics: string[]
  userData: Buffer | null
  ownedPartitions: TopicPartition[]
  generationId: number
  rackId: string | null
}

/** A member's assignment, decoded. */
export interface Assignment {
  version: number
  partitions: TopicPartition[]
  userData: Buffer | null
}

/**
 * Encodes a subscription with its version prefix, as JoinGroup member metadata.
 *
 * @example
 * ```ts
 * const metadata = encodeSubscription({ topics: ['orders'], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
 * ```
 */
export function encodeSubscription(s: Omit<Subscription, 'version'>, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer()
  w.int16(version)
  ConsumerProtocolSubscriptionCodec.encode(w, version, {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: [...byTopic(s.ownedPartitions)].map(([topic, partitions]) => ({ topic, partitions })),
    generationId: s.generationId,
    rackId: s.rackId,
  })
  return w.toBuffer()
}

/**
 * Decodes a subscription from JoinGroup member metadata (any version; newer ones read as v3).
 *
 * @throws DecodeError for malformed bytes.
 * @example
 * ```ts
 * const { topics, ownedPartitions } = decodeSubscription(member.metadata)
 * ```
 */
export function decodeSubscription(bytes: Buffer): Subscription {
  const r = new Reader(bytes)
  const version = r.int16()
  if (version < 0) throw new DecodeError(`Consumer protocol subscription has negative version ${version}`)
  const s = ConsumerProtocolSubscriptionCodec.decode(r, Math.min(version, ConsumerProtocolSubscriptionCodec.maxVersion))
  return {
    version,
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: s.ownedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    generationId: s.generationId,
    rackId: s.rackId,
  }
}

/**
 * Encodes an assignment with its version prefix, as a SyncGroup assignment.
 *
 * @example
 * ```ts
 * const bytes = encodeAssignment([{ topic: 'orders', partition: 0 }], null)
 * ```
 */
export function encodeAssignment(partitions: readonly TopicPartition[], userData: Buffer | null, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer()
  w.int16(version)
  ConsumerProtocolAssignmentCodec.encode(w, version, {
    assignedPartitions: [...byTopic(partitions)].map(([topic, parts]) => ({ topic, partitions: parts })),
    userData,
  })
  return w.toBuffer()
}

/**
 * Decodes a SyncGroup assignment. An empty buffer (a member the leader left out, or a leader that
 * assigned nothing) is an empty assignment.
 *
 * @throws DecodeError for malformed bytes.
 * @example
 * ```ts
 * const { partitions } = decodeAssignment(syncResponse.assignment)
 * ```
 */
export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { version: 0, partitions: [], userData: null }
  const r = new Reader(bytes)
  const version = r.int16()
  if (version < 0) throw new DecodeError(`Consumer protocol assignment has negative version ${version}`)
  const a = ConsumerProtocolAssignmentCodec.decode(r, Math.min(version, ConsumerProtocolAssignmentCodec.maxVersion))
  return {
    version,
    partitions: a.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    userData: a.userData,
  }
}

import { ErrorCode } from '@tributary/protocol'
import { CONSUMER_PROTOCOL_TYPE, type ClassicGroup } from './group.js'
import type { OffsetToCommit, TopicPartitionRef } from './offset-store.js'
import { scheduleSessionExpiry } from './rebalance.js'
import { storeErrorCode, type GroupRuntime } from './runtime.js'

/** One partition of an OffsetCommit. */
export interface CommitPartition {
  partition: number
  offset: bigint
  /** -1 when unknown. */
  leaderEpoch: number
  metadata: string | null
  /** OffsetCommit v1 may set the commit time; -1 means now. */
  commitTimestamp: number
}

/** An OffsetCommit, version-independent. */
export interface OffsetCommitParams {
  groupId: string
  /** -1 for commits outside group management (simple consumers, admin tools). */
  generationId: number
  memberId: string
  groupInstanceId: string | null
  /** OffsetCommit v2-v4 retention; -1 for the broker's. */
  retentionTimeMs: number
  topics: readonly { name: string; partitions: readonly CommitPartition[] }[]
}

/** Per-partition results, in request order. */
export type PartitionErrors = { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]

/**
 * The latest time a commit may carry. Commit and expiry times are int64 on the wire and in
 * `__consumer_offsets` but numbers here; a client's 2^63-1 (meaning "never") would round up past
 * int64 and fail to encode, so times are saturated at the largest exact number instead.
 */
const LATEST_TIMESTAMP = Number.MAX_SAFE_INTEGER

const allWith = (topics: OffsetCommitParams['topics'], errorCode: number): PartitionErrors =>
  topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode })) }))

/**
 * Kafka's check of who may commit to a group, shared by OffsetCommit and TxnOffsetCommit (KIP-447):
 * any commit to an Empty group with generation -1 is accepted (the group uses Kafka only to store
 * offsets); a commit that names a generation, member or instance must come from a current member in
 * the current generation; an anonymous commit to a group with members is refused (not for
 * transactional commits, whose older versions carry no member). A plain commit during
 * CompletingRebalance answers REBALANCE_IN_PROGRESS.
 */
export function validateOffsetCommit(group: ClassicGroup, generationId: number, memberId: string, groupInstanceId: string | null, transactional: boolean): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const error = group.validateMember(memberId, groupInstanceId)
    if (error !== ErrorCode.NONE) return error
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  } else if (!transactional && !group.is('Empty')) {
    return ErrorCode.UNKNOWN_MEMBER_ID
  }
  if (!transactional && group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS
  return ErrorCode.NONE
}

/** OffsetCommit: checks the committer, then stores every valid partition's offset in one write. */
export function commitOffsets(rt: GroupRuntime, req: OffsetCommitParams): PartitionErrors {
  if (!rt.active) return allWith(req.topics, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  let group = rt.groups.get(req.groupId)
  const created = !group
  if (!group) {
    // A commit from outside group management creates a group that only stores offsets.
    if (req.generationId >= 0) return allWith(req.topics, ErrorCode.ILLEGAL_GENERATION)
    group = rt.getOrCreate(req.groupId)
  }
  const error = validateOffsetCommit(group, req.generationId, req.memberId, req.groupInstanceId, false)
  if (error !== ErrorCode.NONE) return allWith(req.topics, error)
  const member = group.get(req.memberId)
  if (member && (group.is('Stable') || group.is('PreparingRebalance'))) scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)

  const now = rt.now()
  const valid: OffsetToCommit[] = []
  const results: PartitionErrors = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      let errorCode: number = ErrorCode.NONE
      if (!rt.logs.getLog(t.name, p.partition)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      else if (p.metadata !== null && p.metadata.length > rt.config.offsetMetadataMaxBytes) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE
      else {
        const commitTimestamp = Math.min(p.commitTimestamp >= 0 ? p.commitTimestamp : now, LATEST_TIMESTAMP)
        valid.push({
          topic: t.name,
          partition: p.partition,
          offset: p.offset,
          leaderEpoch: p.leaderEpoch,
          metadata: p.metadata ?? '',
          commitTimestamp,
          expireTimestamp: req.retentionTimeMs >= 0 ? Math.min(now + req.retentionTimeMs, LATEST_TIMESTAMP) : -1,
        })
      }
      return { partitionIndex: p.partition, errorCode }
    }),
  }))
  try {
    rt.offsets.commit(req.groupId, valid)
  } catch (err) {
    rt.logger.error(`group ${req.groupId}: committing ${valid.length} offset(s) failed`, err)
    const code = storeErrorCode(err, true)
    for (const t of results) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code
  }
  if (created && group.size === 0 && !rt.offsets.hasOffsets(group.groupId) && group.pendingMembers.size === 0) rt.groups.delete(group.groupId)
  return results
}

/** One partition of an OffsetFetch answer. */
export interface FetchedOffset {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}

/** An OffsetFetch answer for one group. */
export interface OffsetFetchResult {
  errorCode: number
  topics: { name: string; partitions: FetchedOffset[] }[]
}

const NO_OFFSET = (partitionIndex: number, errorCode: number = ErrorCode.NONE): FetchedOffset => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode })

/**
 * OffsetFetch for one group: the requested partitions (offset -1 when none is committed), or every
 * committed partition when `topics` is null. With `requireStable`, a partition with a transactional
 * offset still pending answers UNSTABLE_OFFSET_COMMIT, so the consumer retries after the transaction.
 */
export function fetchOffsets(rt: GroupRuntime, groupId: string, topics: readonly { name: string; partitions: readonly number[] }[] | null, requireStable: boolean): OffsetFetchResult {
  if (!rt.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] }
  const one = (topic: string, partition: number): FetchedOffset => {
    if (requireStable && rt.offsets.hasPending(groupId, topic, partition)) return NO_OFFSET(partition, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    const o = rt.offsets.get(groupId, topic, partition)
    return o ? { partitionIndex: partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE } : NO_OFFSET(partition)
  }
  if (topics !== null) return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => one(t.name, p)) })) }
  const all = [...rt.offsets.offsetsOf(groupId)].map(([name, byPartition]) => ({ name, partitions: [...byPartition.keys()].sort((a, b) => a - b).map((p) => one(name, p)) }))
  return { errorCode: ErrorCode.NONE, topics: all }
}

/** An OffsetDelete answer. */
export interface OffsetDeleteResult {
  errorCode: number
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

/**
 * OffsetDelete (KIP-496): deletes committed offsets of an empty group, or of topics the members of
 * a consumer group no longer subscribe to; partitions of subscribed topics answer
 * GROUP_SUBSCRIBED_TO_TOPIC. A group left empty without offsets is removed.
 */
export function deleteOffsets(rt: GroupRuntime, groupId: string, topics: readonly { name: string; partitions: readonly number[] }[]): OffsetDeleteResult {
  const fail = (errorCode: number): OffsetDeleteResult => ({ errorCode, topics: [] })
  if (!rt.active) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID)
  const group = rt.groups.get(groupId)
  if (!group || group.is('Dead')) return fail(ErrorCode.GROUP_ID_NOT_FOUND)
  const consumerGroup = group.protocolType === CONSUMER_PROTOCOL_TYPE
  if (!group.is('Empty') && !consumerGroup) return fail(ErrorCode.NON_EMPTY_GROUP)
  const eligible: TopicPartitionRef[] = []
  const result: OffsetDeleteResult = {
    errorCode: ErrorCode.NONE,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((partition) => {
        if (!rt.logs.getLog(t.name, partition)) return { partitionIndex: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        if (!group.is('Empty') && group.isSubscribedToTopic(t.name)) return { partitionIndex: partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
        eligible.push({ topic: t.name, partition })
        return { partitionIndex: partition, errorCode: ErrorCode.NONE }
      }),
    })),
  }
  try {
    const removed = rt.offsets.remove(groupId, eligible)
    if (removed > 0) rt.logger.info(`group ${groupId}: deleted ${removed} committed offset(s)`)
  } catch (err) {
    rt.logger.error(`group ${groupId}: deleting offsets failed`, err)
    const code = storeErrorCode(err, true)
    for (const t of result.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code
    return result
  }
  if (group.is('Empty') && !rt.offsets.hasOffsets(groupId) && !rt.offsets.hasPending(groupId)) rt.removeGroup(group)
  return result
}

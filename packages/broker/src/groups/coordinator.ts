import { ErrorCode } from '@tributary/protocol'
import type { LogManager, TopicInfo } from '../log/log-manager.js'
import { defaultBrokerLogger, type BrokerLogger } from '../logger.js'
import { describeGroup, deleteGroups, listGroups, type GroupDescription, type GroupListing } from './admin.js'
import { DEFAULT_GROUP_CONFIG, type GroupCoordinatorConfig } from './config.js'
import { expireOffsets, removeOffsetsOfTopic } from './expiration.js'
import { ClassicGroup } from './group.js'
import { loadGroupState } from './group-loader.js'
import { OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC, ensureInternalTopic } from './internal-topics.js'
import { joinGroup, type JoinGroupParams } from './join.js'
import { restoreGroups } from './loaded-groups.js'
import { joinError, syncError, type JoinResult, type SyncResult } from './member.js'
import { heartbeat, leaveGroup, syncGroup, type HeartbeatParams, type LeaveGroupResult, type LeavingMember, type SyncGroupParams } from './membership.js'
import {
  commitOffsets,
  deleteOffsets,
  fetchOffsets,
  validateOffsetCommit,
  type CommitPartition,
  type OffsetCommitParams,
  type OffsetDeleteResult,
  type OffsetFetchResult,
  type PartitionErrors,
} from './offset-requests.js'
import type { OffsetToCommit } from './offset-store.js'
import { GroupRuntime, storeErrorCode } from './runtime.js'

/** How to open a {@link GroupCoordinator}. */
export interface GroupCoordinatorOptions {
  /** The broker's storage: `__consumer_offsets` lives there. */
  logs: LogManager
  /** Settings; Kafka's defaults where omitted. */
  config?: Partial<GroupCoordinatorConfig>
  logger?: BrokerLogger
  /** Milliseconds since the epoch; commit timestamps and expiry use it. Default `Date.now`. */
  clock?: () => number
}

/** A topic's offsets staged by a transaction (TxnOffsetCommit). */
export interface TransactionalOffsetTopic {
  name: string
  partitions: readonly CommitPartition[]
}

/**
 * The group coordinator: classic consumer groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * DescribeGroups, ListGroups, DeleteGroups) and committed offsets (OffsetCommit, OffsetFetch,
 * OffsetDelete, and the transactional offsets of TxnOffsetCommit), kept in the compacted
 * `__consumer_offsets` topic and reloaded when the broker starts. It behaves as Kafka's classic
 * group coordinator; the handlers only translate versions.
 *
 * Every method answers with Kafka error codes rather than throwing for anything a client sends.
 *
 * @example
 * ```ts
 * const groups = GroupCoordinator.open({ logs, config: { initialRebalanceDelayMs: 0 } })
 * const joined = await groups.joinGroup({ groupId: 'billing', memberId: '', ... })
 * groups.close()
 * ```
 */
export class GroupCoordinator {
  private readonly rt: GroupRuntime
  private readonly expiryTimer: NodeJS.Timeout | undefined

  private constructor(options: GroupCoordinatorOptions) {
    const config = { ...DEFAULT_GROUP_CONFIG, ...options.config }
    this.rt = new GroupRuntime(options.logs, config, options.logger ?? defaultBrokerLogger, options.clock ?? Date.now)
    const state = loadGroupState(options.logs, this.rt.logger)
    this.rt.offsets.restore(state)
    restoreGroups(this.rt, state)
    if (state.records > 0) {
      this.rt.logger.info(`group coordinator: loaded ${state.groups.size} group(s) and the offsets of ${state.offsets.size} group(s) from ${state.records} record(s) of ${OFFSETS_TOPIC}`)
    }
    if (config.offsetsRetentionCheckIntervalMs > 0) {
      this.expiryTimer = setInterval(() => this.expireOffsets(), config.offsetsRetentionCheckIntervalMs)
      this.expiryTimer.unref()
    }
  }

  /**
   * Starts the coordinator: reads `__consumer_offsets` (when it exists) back into groups and
   * offsets, and starts the periodic offset expiration (`offsets.retention.check.interval.ms`).
   */
  static open(options: GroupCoordinatorOptions): GroupCoordinator {
    return new GroupCoordinator(options)
  }

  /** The settings in effect. */
  get config(): Readonly<GroupCoordinatorConfig> {
    return this.rt.config
  }

  /** The `__consumer_offsets` partition holding a group's state (Kafka's hash of the group id). */
  partitionFor(groupId: string): number {
    return this.rt.groupLog.partitionFor(groupId)
  }

  /** Creates `__consumer_offsets` (compacted, `offsets.topic.num.partitions`) unless it exists. @throws KafkaError */
  ensureOffsetsTopic(): TopicInfo {
    return this.rt.groupLog.ensureTopic()
  }

  /**
   * Creates `__transaction_state` (compacted, `transaction.state.log.num.partitions`) unless it
   * exists; FindCoordinator calls it for transactional ids, and so may the transaction coordinator.
   *
   * @throws KafkaError when the topic cannot be created.
   */
  ensureTransactionStateTopic(): TopicInfo {
    return ensureInternalTopic(this.rt.logs, TRANSACTION_STATE_TOPIC, this.rt.config.transactionStatePartitions, this.rt.logger)
  }

  /** JoinGroup; settles when the member has its answer (possibly after a rebalance). */
  joinGroup(params: JoinGroupParams): Promise<JoinResult> {
    return joinGroup(this.rt, params)
  }

  /** SyncGroup; followers' answers settle when the leader's assignment arrives. */
  syncGroup(params: SyncGroupParams): Promise<SyncResult> {
    return syncGroup(this.rt, params)
  }

  /** Heartbeat; returns the error code. */
  heartbeat(params: HeartbeatParams): number {
    return heartbeat(this.rt, params)
  }

  /** LeaveGroup for one or more members. */
  leaveGroup(groupId: string, members: readonly LeavingMember[]): LeaveGroupResult {
    return leaveGroup(this.rt, groupId, members)
  }

  /** OffsetCommit. */
  commitOffsets(params: OffsetCommitParams): PartitionErrors {
    return commitOffsets(this.rt, params)
  }

  /** OffsetFetch for one group; `topics` null fetches every committed partition. */
  fetchOffsets(groupId: string, topics: readonly { name: string; partitions: readonly number[] }[] | null, requireStable: boolean): OffsetFetchResult {
    return fetchOffsets(this.rt, groupId, topics, requireStable)
  }

  /** OffsetDelete. */
  deleteOffsets(groupId: string, topics: readonly { name: string; partitions: readonly number[] }[]): OffsetDeleteResult {
    return deleteOffsets(this.rt, groupId, topics)
  }

  /** DescribeGroups for one group. */
  describeGroup(groupId: string): GroupDescription {
    return describeGroup(this.rt, groupId)
  }

  /** ListGroups with optional state and type filters. */
  listGroups(statesFilter: readonly string[] = [], typesFilter: readonly string[] = []): { errorCode: number; groups: GroupListing[] } {
    return listGroups(this.rt, statesFilter, typesFilter)
  }

  /** DeleteGroups. */
  deleteGroups(groupIds: readonly string[]): { groupId: string; errorCode: number }[] {
    return deleteGroups(this.rt, groupIds)
  }

  /**
   * For TxnOffsetCommit (KIP-447): whether a transactional producer may commit offsets for the
   * group on behalf of this member. Generation -1 with no member and no instance id is accepted (the
   * older TxnOffsetCommit versions carry none); otherwise the member must be current (UNKNOWN_MEMBER_ID,
   * FENCED_INSTANCE_ID) and the generation the group's (ILLEGAL_GENERATION). An unknown group counts
   * as a new empty one. Returns NONE or the error code to answer.
   */
  validateGeneration(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (!this.rt.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID
    const group = this.rt.groups.get(groupId) ?? new ClassicGroup(groupId, 'Empty', this.rt.now())
    return validateOffsetCommit(group, generationId, memberId, groupInstanceId, true)
  }

  /**
   * Stages a transaction's offsets for a group (TxnOffsetCommit, after {@link validateGeneration}).
   * They are stored in `__consumer_offsets` but invisible to OffsetFetch until
   * {@link completeTransactionalOffsets} commits them. Each partition answers NONE,
   * UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE, or the storage error.
   *
   * @example
   * ```ts
   * const errors = groups.stageTransactionalOffsets('billing', 4000n, 0, [{ name: 'orders', partitions: [{ partition: 0, offset: 42n, leaderEpoch: -1, metadata: '', commitTimestamp: -1 }] }])
   * ```
   */
  stageTransactionalOffsets(groupId: string, producerId: bigint, producerEpoch: number, topics: readonly TransactionalOffsetTopic[]): PartitionErrors {
    const all = (errorCode: number): PartitionErrors => topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode })) }))
    if (!this.rt.active) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (groupId === '') return all(ErrorCode.INVALID_GROUP_ID)
    const now = this.rt.now()
    const valid: OffsetToCommit[] = []
    const results: PartitionErrors = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (!this.rt.logs.getLog(t.name, p.partition)) return { partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        if (p.metadata !== null && p.metadata.length > this.rt.config.offsetMetadataMaxBytes) return { partitionIndex: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE }
        valid.push({ topic: t.name, partition: p.partition, offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata ?? '', commitTimestamp: p.commitTimestamp >= 0 ? p.commitTimestamp : now, expireTimestamp: -1 })
        return { partitionIndex: p.partition, errorCode: ErrorCode.NONE }
      }),
    }))
    try {
      this.rt.offsets.stage(groupId, producerId, producerEpoch, valid)
    } catch (err) {
      this.rt.logger.error(`group ${groupId}: staging ${valid.length} transactional offset(s) of producer ${producerId} failed`, err)
      const code = storeErrorCode(err, true)
      for (const t of results) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code
      return results
    }
    if (valid.length > 0) this.rt.getOrCreate(groupId)
    return results
  }

  /**
   * Ends a producer's transaction for its staged offsets (those staged with an epoch up to
   * `producerEpoch`): on commit they become the committed offsets, persisted; on abort they are
   * dropped. Idempotent: calling it again, or for a producer with nothing staged, does nothing.
   *
   * @throws KafkaError when writing to `__consumer_offsets` fails; what could not be written stays
   * staged, so calling again completes it.
   */
  completeTransactionalOffsets(producerId: bigint, producerEpoch: number, commit: boolean): void {
    const groups = this.rt.offsets.complete(producerId, producerEpoch, commit)
    for (const groupId of groups) if (this.rt.offsets.hasOffsets(groupId)) this.rt.getOrCreate(groupId)
    if (groups.length > 0) this.rt.logger.info(`group coordinator: ${commit ? 'committed' : 'aborted'} the transactional offsets of producer ${producerId} for ${groups.join(', ')}`)
  }

  /** Whether a transaction has an offset staged for this group partition (OffsetFetch RequireStable). */
  hasPendingTransactionalOffsets(groupId: string, topic: string, partition: number): boolean {
    return this.rt.offsets.hasPending(groupId, topic, partition)
  }

  /**
   * Forgets every group's committed offsets for a deleted topic (tombstones), as Kafka does when a
   * topic is deleted, so that a topic created again under the name starts without stale offsets.
   * Groups left empty without offsets are removed. Returns how many offsets were removed.
   */
  removeOffsetsOfTopic(topic: string): number {
    if (!this.rt.active) return 0
    return removeOffsetsOfTopic(this.rt, topic)
  }

  /**
   * Runs the offset expiration now (the timer runs it every `offsets.retention.check.interval.ms`)
   * as of `now`; returns how many offsets expired.
   */
  expireOffsets(now: number = this.rt.now()): number {
    if (!this.rt.active) return 0
    try {
      return expireOffsets(this.rt, now)
    } catch (err) {
      this.rt.logger.error('group coordinator: the offset expiration check failed', err)
      return 0
    }
  }

  /**
   * Stops the coordinator: every timer stops, parked JoinGroup and SyncGroup requests answer
   * NOT_COORDINATOR (clients look for the coordinator again), and later requests answer
   * COORDINATOR_NOT_AVAILABLE. Persisted state is already in `__consumer_offsets`. Idempotent.
   */
  close(): void {
    if (!this.rt.active) return
    this.rt.active = false
    if (this.expiryTimer) clearInterval(this.expiryTimer)
    this.rt.timers.close()
    for (const group of this.rt.groups.values()) {
      for (const m of group.members.values()) {
        m.completeJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR))
        m.completeSync(syncError(ErrorCode.NOT_COORDINATOR))
      }
    }
    this.rt.groups.clear()
  }
}

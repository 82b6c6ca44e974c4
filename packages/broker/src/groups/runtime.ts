import { ErrorCode, KafkaError, KafkaProtocolError } from '@tributary/protocol'
import type { LogManager } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'
import type { GroupCoordinatorConfig } from './config.js'
import { ClassicGroup } from './group.js'
import { GroupLog } from './group-log.js'
import { OffsetStore } from './offset-store.js'
import { encodeGroupValue, encodeKey } from './records.js'
import { Timers, timerKey } from './timers.js'

/**
 * The coordinator's shared state: the groups, the offset store, the timers and the writer of
 * `__consumer_offsets`. The request modules (join, membership, offsets, admin) and the rebalance
 * engine all work on one runtime.
 */
export class GroupRuntime {
  readonly groups = new Map<string, ClassicGroup>()
  readonly timers: Timers
  readonly groupLog: GroupLog
  readonly offsets: OffsetStore
  /** False once the coordinator is closed: requests answer COORDINATOR_NOT_AVAILABLE. */
  active = true

  constructor(
    readonly logs: LogManager,
    readonly config: GroupCoordinatorConfig,
    readonly logger: BrokerLogger,
    readonly clock: () => number,
  ) {
    this.timers = new Timers(logger)
    this.groupLog = new GroupLog(logs, config, logger, clock)
    this.offsets = new OffsetStore(this.groupLog)
  }

  now(): number {
    return this.clock()
  }

  /** The group, or a new Empty one registered under `groupId`. */
  getOrCreate(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId)
    if (!group) {
      group = new ClassicGroup(groupId, 'Empty', this.now())
      this.groups.set(groupId, group)
    }
    return group
  }

  /** Whether `group` is still the one registered under its id (not deleted or replaced since). */
  isCurrent(group: ClassicGroup): boolean {
    return this.groups.get(group.groupId) === group && !group.is('Dead')
  }

  /**
   * Persists the group's metadata (members with their subscriptions and assignments) to
   * `__consumer_offsets`. `assignment` overrides the members' current assignments (the leader's
   * new one, before it is handed out). Returns the error code to answer with, NONE on success.
   */
  storeGroup(group: ClassicGroup, assignment?: ReadonlyMap<string, Buffer>): number {
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: m.metadataFor(group.protocolName),
      assignment: assignment?.get(m.memberId) ?? m.assignment,
    }))
    try {
      const value = encodeGroupValue({
        protocolType: group.protocolType,
        generationId: group.generationId,
        protocolName: group.protocolName,
        leaderId: group.leaderId,
        stateTimestamp: group.stateTimestamp,
        members,
      })
      this.groupLog.append(group.groupId, [{ key: encodeKey({ kind: 'group', groupId: group.groupId }), value }])
      return ErrorCode.NONE
    } catch (err) {
      this.logger.error(`group ${group.groupId}: storing generation ${group.generationId} failed`, err)
      return storeErrorCode(err, false)
    }
  }

  /**
   * Marks a group Dead and forgets it: its timers stop, and a tombstone deletes its metadata (only
   * when it ever completed a rebalance: a group used only for offsets never wrote any).
   */
  removeGroup(group: ClassicGroup): void {
    if (!group.is('Dead')) group.transitionTo('Dead', this.now())
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId)
    this.timers.cancel(timerKey.join(group.groupId))
    this.timers.cancel(timerKey.sync(group.groupId))
    for (const memberId of [...group.members.keys(), ...group.pendingMembers]) this.timers.cancel(timerKey.session(group.groupId, memberId))
    if (group.generationId > 0) {
      try {
        this.groupLog.append(group.groupId, [{ key: encodeKey({ kind: 'group', groupId: group.groupId }), value: null }])
      } catch (err) {
        this.logger.error(`group ${group.groupId}: writing its deletion failed; it will reappear (empty) after a restart`, err)
      }
    }
  }
}

/**
 * The error code for a failed write to `__consumer_offsets`, as Kafka maps storage errors for
 * group writes (`forCommit` false) and offset commits (`forCommit` true).
 */
export function storeErrorCode(err: unknown, forCommit: boolean): number {
  const code = err instanceof KafkaProtocolError ? err.errorCode : err instanceof KafkaError && Object.hasOwn(ErrorCode, err.code) ? ErrorCode[err.code as keyof typeof ErrorCode] : ErrorCode.UNKNOWN_SERVER_ERROR
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return forCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return code
  }
}

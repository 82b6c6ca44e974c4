import { ErrorCode } from '@tributary/protocol'
import { syncError, type SyncResult } from './member.js'
import {
  maybePrepareRebalance,
  removeMemberAndUpdateGroup,
  removePendingMember,
  removePendingSyncMember,
  resetAndPropagateAssignmentError,
  scheduleSessionExpiry,
  setAndPropagateAssignment,
} from './rebalance.js'
import type { GroupRuntime } from './runtime.js'

/** A SyncGroup, version-independent. */
export interface SyncGroupParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  /** v5+: checked against the group's when given. */
  protocolType: string | null
  protocolName: string | null
  /** The leader's assignment per member id (others send none). */
  assignments: ReadonlyMap<string, Buffer>
}

/**
 * SyncGroup: followers wait for the leader's assignment; the leader's SyncGroup persists it and
 * answers everyone. A stable group answers the member's current assignment at once.
 */
export function syncGroup(rt: GroupRuntime, req: SyncGroupParams): Promise<SyncResult> {
  const answer = (errorCode: number) => Promise.resolve(syncError(errorCode))
  if (!rt.active) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (req.groupId === '') return answer(ErrorCode.INVALID_GROUP_ID)
  const group = rt.groups.get(req.groupId)
  if (!group) return answer(ErrorCode.UNKNOWN_MEMBER_ID)
  if (group.is('Dead')) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  const error = group.validateMember(req.memberId, req.groupInstanceId)
  if (error !== ErrorCode.NONE) return answer(error)
  if (req.generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION)
  if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
    return answer(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  }
  const member = group.get(req.memberId)!
  switch (group.state) {
    case 'Empty':
      return answer(ErrorCode.UNKNOWN_MEMBER_ID)
    case 'PreparingRebalance':
      return answer(ErrorCode.REBALANCE_IN_PROGRESS)
    case 'Stable':
      removePendingSyncMember(rt, group, req.memberId)
      scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
      return Promise.resolve({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment })
    case 'CompletingRebalance':
      break
    default:
      return answer(ErrorCode.UNKNOWN_MEMBER_ID)
  }
  const result = member.awaitSync()
  removePendingSyncMember(rt, group, req.memberId)
  if (group.isLeader(req.memberId)) {
    const assignment = new Map<string, Buffer>()
    for (const memberId of group.members.keys()) assignment.set(memberId, req.assignments.get(memberId) ?? Buffer.alloc(0))
    const missing = [...group.members.keys()].filter((id) => !req.assignments.has(id))
    if (missing.length > 0) rt.logger.warn(`group ${group.groupId}: the leader assigned nothing to ${missing.join(', ')} in generation ${group.generationId}`)
    const stored = rt.storeGroup(group, assignment)
    if (stored !== ErrorCode.NONE) {
      resetAndPropagateAssignmentError(rt, group, stored)
      maybePrepareRebalance(rt, group, `storing the assignment of generation ${group.generationId} failed`)
    } else {
      setAndPropagateAssignment(rt, group, assignment)
      group.transitionTo('Stable', rt.now())
      rt.logger.info(`group ${group.groupId}: generation ${group.generationId} is stable with ${group.size} member(s)`)
    }
  }
  return result
}

/** A Heartbeat, version-independent. */
export interface HeartbeatParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

/**
 * Heartbeat: restarts the member's session timer. Answers REBALANCE_IN_PROGRESS while the group
 * prepares a rebalance, which tells the member to rejoin.
 */
export function heartbeat(rt: GroupRuntime, req: HeartbeatParams): number {
  if (!rt.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID
  const group = rt.groups.get(req.groupId)
  if (!group) return ErrorCode.UNKNOWN_MEMBER_ID
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  const error = group.validateMember(req.memberId, req.groupInstanceId)
  if (error !== ErrorCode.NONE) return error
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  const member = group.get(req.memberId)!
  switch (group.state) {
    case 'Empty':
      return ErrorCode.UNKNOWN_MEMBER_ID
    case 'PreparingRebalance':
      scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
      return ErrorCode.REBALANCE_IN_PROGRESS
    case 'CompletingRebalance':
    case 'Stable':
      scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
      return ErrorCode.NONE
    default:
      return ErrorCode.UNKNOWN_MEMBER_ID
  }
}

/** One member leaving (LeaveGroup v3+ lists several; an empty member id with an instance id removes that static member). */
export interface LeavingMember {
  memberId: string
  groupInstanceId: string | null
  reason: string | null
}

/** What LeaveGroup answers: a group-level error and one result per member. */
export interface LeaveGroupResult {
  errorCode: number
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[]
}

/** LeaveGroup: removes each member (or pending member id) and rebalances the rest. */
export function leaveGroup(rt: GroupRuntime, groupId: string, leaving: readonly LeavingMember[]): LeaveGroupResult {
  if (!rt.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
  if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] }
  const group = rt.groups.get(groupId)
  const result = (m: LeavingMember, errorCode: number) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })
  if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => result(m, ErrorCode.UNKNOWN_MEMBER_ID)) }
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
  const members = leaving.map((m) => {
    const why = `member ${m.memberId || m.groupInstanceId} left${m.reason ? `; client reason: ${m.reason}` : ''}`
    if (m.memberId === '') {
      // Removal by group instance id, as administrators do (KIP-345).
      const current = m.groupInstanceId === null ? undefined : group.currentStaticMemberId(m.groupInstanceId)
      const member = current === undefined ? undefined : group.get(current)
      if (!member) return result(m, ErrorCode.UNKNOWN_MEMBER_ID)
      removeMemberAndUpdateGroup(rt, group, member, why)
      rt.logger.info(`group ${groupId}: static member ${m.groupInstanceId} (${member.memberId}) was removed`)
      return result(m, ErrorCode.NONE)
    }
    if (group.pendingMembers.has(m.memberId)) {
      removePendingMember(rt, group, m.memberId)
      return result(m, ErrorCode.NONE)
    }
    const error = group.validateMember(m.memberId, m.groupInstanceId)
    if (error !== ErrorCode.NONE) return result(m, error)
    removeMemberAndUpdateGroup(rt, group, group.get(m.memberId)!, why)
    rt.logger.info(`group ${groupId}: member ${m.memberId} left`)
    return result(m, ErrorCode.NONE)
  })
  return { errorCode: ErrorCode.NONE, members }
}

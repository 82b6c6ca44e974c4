import { randomUUID } from 'node:crypto'
import { ErrorCode } from '@tributary/protocol'
import type { ClassicGroup } from './group.js'
import { GroupMember, joinError, type JoinResult, type MemberProtocol } from './member.js'
import {
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  maybePrepareRebalance,
  prepareRebalance,
  removeMemberAndUpdateGroup,
  scheduleSessionExpiry,
  schedulePendingMemberExpiry,
  tryCompleteJoin,
} from './rebalance.js'
import type { GroupRuntime } from './runtime.js'
import { timerKey } from './timers.js'

/** A JoinGroup, version-independent. */
export interface JoinGroupParams {
  groupId: string
  /** '' for a member joining for the first time. */
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
  /** v4+: a dynamic member joining with no id first gets MEMBER_ID_REQUIRED and its id (KIP-394). */
  requireKnownMemberId: boolean
  /** v9+: a static leader rejoining a stable group may be told to skip the assignment (KIP-814). */
  supportSkippingAssignment: boolean
  reason: string | null
}

const resolved = (result: JoinResult) => Promise.resolve(result)

/**
 * JoinGroup, as Kafka's classic group coordinator answers it. The promise settles when the member
 * has its answer: at once for errors, MEMBER_ID_REQUIRED and rejoins that need no rebalance, or
 * when the rebalance completes.
 */
export function joinGroup(rt: GroupRuntime, req: JoinGroupParams): Promise<JoinResult> {
  if (!rt.active) return resolved(joinError(req.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (req.groupId === '') return resolved(joinError(req.memberId, ErrorCode.INVALID_GROUP_ID))
  if (req.sessionTimeoutMs < rt.config.minSessionTimeoutMs || req.sessionTimeoutMs > rt.config.maxSessionTimeoutMs) {
    return resolved(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT))
  }
  const isUnknown = req.memberId === ''
  const existing = rt.groups.get(req.groupId)
  if (!existing && !isUnknown) return resolved(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  const group = existing ?? rt.getOrCreate(req.groupId)
  let result: Promise<JoinResult>
  if (!acceptJoiningMember(rt, group, req.memberId)) {
    const member = group.get(req.memberId)
    if (member) removeMemberAndUpdateGroup(rt, group, member, `member ${req.memberId} rejoined a group at its maximum size`)
    result = resolved(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
  } else if (isUnknown) {
    result = newMemberJoin(rt, group, req)
  } else {
    result = currentMemberJoin(rt, group, req)
  }
  if (group.is('PreparingRebalance')) tryCompleteJoin(rt, group)
  return result
}

/** Kafka's group.max.size check: members already rejoining are always let through. */
function acceptJoiningMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): boolean {
  const max = rt.config.maxSize
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true
    case 'PreparingRebalance':
      return group.get(memberId)?.isAwaitingJoin === true || group.numAwaitingJoin < max
    default:
      return group.has(memberId) || group.size < max
  }
}

function newMemberJoin(rt: GroupRuntime, group: ClassicGroup, req: JoinGroupParams): Promise<JoinResult> {
  if (group.is('Dead')) return resolved(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) return resolved(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`
  if (req.groupInstanceId !== null) {
    const oldMemberId = group.currentStaticMemberId(req.groupInstanceId)
    if (oldMemberId !== undefined) return replaceStaticMember(rt, group, oldMemberId, newMemberId, req)
    return addMemberAndRebalance(rt, group, newMemberId, req)
  }
  if (req.requireKnownMemberId) {
    group.pendingMembers.add(newMemberId)
    schedulePendingMemberExpiry(rt, group, newMemberId, req.sessionTimeoutMs)
    return resolved(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED))
  }
  return addMemberAndRebalance(rt, group, newMemberId, req)
}

function currentMemberJoin(rt: GroupRuntime, group: ClassicGroup, req: JoinGroupParams): Promise<JoinResult> {
  const { memberId } = req
  if (group.is('Dead')) return resolved(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) return resolved(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  if (group.pendingMembers.has(memberId)) {
    // Ids handed out with MEMBER_ID_REQUIRED belong to dynamic members only.
    if (req.groupInstanceId !== null) return resolved(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
    return addMemberAndRebalance(rt, group, memberId, req)
  }
  const error = group.validateMember(memberId, req.groupInstanceId)
  if (error !== ErrorCode.NONE) return resolved(joinError(memberId, error))
  const member = group.get(memberId)!
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(rt, group, member, req, `member ${memberId} rejoined`)
    case 'CompletingRebalance':
      // Same metadata: the member missed its JoinGroup answer; repeat it.
      if (member.matches(req.protocols)) return resolved(currentGeneration(group, memberId, group.isLeader(memberId)))
      return updateMemberAndRebalance(rt, group, member, req, `member ${memberId} changed its metadata`)
    case 'Stable':
      // The leader rejoining forces a rebalance (its view of the topics changed); so does new metadata.
      if (group.isLeader(memberId)) return updateMemberAndRebalance(rt, group, member, req, `leader ${memberId} rejoined`)
      if (!member.matches(req.protocols)) return updateMemberAndRebalance(rt, group, member, req, `member ${memberId} changed its metadata`)
      return resolved(currentGeneration(group, memberId, false))
    default:
      return resolved(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
}

/** The current generation as a JoinGroup answer (with every member's metadata for the leader). */
function currentGeneration(group: ClassicGroup, memberId: string, withMembers: boolean): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId,
    members: withMembers ? group.currentMemberMetadata() : [],
    skipAssignment: false,
  }
}

function addMemberAndRebalance(rt: GroupRuntime, group: ClassicGroup, memberId: string, req: JoinGroupParams): Promise<JoinResult> {
  const member = new GroupMember({
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
  })
  member.isNew = true
  if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true
  group.add(member)
  const answer = member.awaitJoin()
  scheduleSessionExpiry(rt, group, member, NEW_MEMBER_JOIN_TIMEOUT_MS)
  maybePrepareRebalance(rt, group, `member ${memberId}${req.groupInstanceId === null ? '' : ` (instance ${req.groupInstanceId})`} joined${reasonSuffix(req)}`)
  return answer
}

function updateMemberAndRebalance(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, req: JoinGroupParams, why: string): Promise<JoinResult> {
  member.protocols = req.protocols
  member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
  member.sessionTimeoutMs = req.sessionTimeoutMs
  const answer = member.awaitJoin()
  maybePrepareRebalance(rt, group, why + reasonSuffix(req))
  return answer
}

/**
 * A static member rejoining with no member id (a restarted instance, KIP-345): it takes over its
 * instance's member id, fencing the old one. In a stable group whose protocol choice stays the
 * same, it gets the current generation and keeps its assignment without a rebalance.
 */
function replaceStaticMember(rt: GroupRuntime, group: ClassicGroup, oldMemberId: string, newMemberId: string, req: JoinGroupParams): Promise<JoinResult> {
  const instanceId = req.groupInstanceId!
  const previousLeader = group.leaderId
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
  rt.timers.cancel(timerKey.session(group.groupId, oldMemberId))
  scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
  const previous = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs }
  member.protocols = req.protocols
  member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
  member.sessionTimeoutMs = req.sessionTimeoutMs
  const answer = member.awaitJoin()
  rt.logger.info(`group ${group.groupId}: static member ${instanceId} rejoined as ${newMemberId}, fencing ${oldMemberId}`)
  switch (group.state) {
    case 'Stable': {
      if (group.protocolName !== group.selectProtocol()) {
        maybePrepareRebalance(rt, group, `static member ${instanceId} rejoined with protocols that change the group's choice${reasonSuffix(req)}`)
        break
      }
      const error = rt.storeGroup(group)
      if (error !== ErrorCode.NONE) {
        member.completeJoin({ ...currentGeneration(group, '', false), errorCode: error, leader: previousLeader ?? '' })
        Object.assign(member, previous)
        group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
        rt.timers.cancel(timerKey.session(group.groupId, newMemberId))
        scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
        break
      }
      if (req.supportSkippingAssignment) {
        const isLeader = group.isLeader(newMemberId)
        member.completeJoin({ ...currentGeneration(group, newMemberId, isLeader), skipAssignment: isLeader })
      } else {
        // The old leader id is answered so that a rejoining leader does not compute an assignment
        // a stable group would never hand out.
        member.completeJoin({ ...currentGeneration(group, newMemberId, false), leader: previousLeader ?? '' })
      }
      break
    }
    case 'CompletingRebalance':
      // The leader may already be assigning to the old member id: start over.
      prepareRebalance(rt, group, `static member ${instanceId} rejoined during the sync phase${reasonSuffix(req)}`)
      break
    case 'PreparingRebalance':
      break
    default:
      member.completeJoin(joinError(newMemberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
  return answer
}

function reasonSuffix(req: JoinGroupParams): string {
  return req.reason ? `; client reason: ${req.reason}` : ''
}

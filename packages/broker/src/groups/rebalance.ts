import { ErrorCode } from '@tributary/protocol'
import type { ClassicGroup } from './group.js'
import { joinError, syncError, type GroupMember } from './member.js'
import type { GroupRuntime } from './runtime.js'
import { timerKey } from './timers.js'

/**
 * The rebalance engine of the classic protocol, as Kafka's group coordinator runs it:
 *
 * - A rebalance starts (PreparingRebalance) when a member joins, leaves, changes its metadata or
 *   times out, or the leader rejoins. The first rebalance of an empty group waits
 *   `group.initial.rebalance.delay.ms`, extended (up to the rebalance timeout) while new members keep
 *   arriving; later ones complete as soon as every known member has rejoined, or when the largest
 *   rebalance timeout of the members runs out, removing the dynamic members that did not rejoin.
 * - Completing the join starts the next generation (CompletingRebalance), chooses the protocol and
 *   answers every parked JoinGroup; the leader gets all members' metadata.
 * - The leader's SyncGroup carries the assignment, which is persisted and handed to every member
 *   (Stable). Members that send no SyncGroup within the rebalance timeout are removed.
 * - Each member must heartbeat (or commit, join, sync) within its session timeout, or it is removed.
 */

/** How long a new member's first JoinGroup may wait (it cannot heartbeat before it has an id). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000

const EMPTY = Buffer.alloc(0)

/** Starts a rebalance if the group's state allows one. */
export function maybePrepareRebalance(rt: GroupRuntime, group: ClassicGroup, reason: string): void {
  if (group.canRebalance) prepareRebalance(rt, group, reason)
}

/** Moves the group to PreparingRebalance and arms the deadline that completes the join. */
export function prepareRebalance(rt: GroupRuntime, group: ClassicGroup, reason: string): void {
  if (group.is('CompletingRebalance')) resetAndPropagateAssignmentError(rt, group, ErrorCode.REBALANCE_IN_PROGRESS)
  group.pendingSyncMembers.clear()
  rt.timers.cancel(timerKey.sync(group.groupId))
  const initial = group.is('Empty')
  group.transitionTo('PreparingRebalance', rt.now())
  rt.logger.info(`group ${group.groupId}: preparing to rebalance from generation ${group.generationId} (${reason})`)
  if (initial) {
    const delay = rt.config.initialRebalanceDelayMs
    group.joinDelay = 'initial'
    group.newMemberAdded = false
    scheduleInitialJoin(rt, group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0))
  } else {
    group.joinDelay = 'normal'
    rt.timers.schedule(timerKey.join(group.groupId), group.rebalanceTimeoutMs, () => completeJoin(rt, group))
    tryCompleteJoin(rt, group)
  }
}

/**
 * The initial delay: when it runs out and new members arrived meanwhile, it waits again (at most
 * the configured delay, never past the rebalance timeout); otherwise the join completes.
 */
function scheduleInitialJoin(rt: GroupRuntime, group: ClassicGroup, delayMs: number, remainingMs: number): void {
  rt.timers.schedule(timerKey.join(group.groupId), delayMs, () => {
    if (!rt.isCurrent(group) || !group.is('PreparingRebalance')) return
    if (group.newMemberAdded && remainingMs > 0) {
      group.newMemberAdded = false
      const next = Math.min(rt.config.initialRebalanceDelayMs, remainingMs)
      scheduleInitialJoin(rt, group, next, remainingMs - next)
    } else {
      completeJoin(rt, group)
    }
  })
}

/** Completes the join early when every member has rejoined (not during the initial delay). */
export function tryCompleteJoin(rt: GroupRuntime, group: ClassicGroup): void {
  if (group.is('PreparingRebalance') && group.joinDelay === 'normal' && group.hasAllMembersJoined) completeJoin(rt, group)
}

/**
 * Ends the join phase: removes dynamic members that did not rejoin, starts the next generation and
 * answers every parked JoinGroup. When no member rejoined but static members remain, waits one
 * more rebalance timeout (their sessions expire meanwhile).
 */
export function completeJoin(rt: GroupRuntime, group: ClassicGroup): void {
  if (!rt.isCurrent(group) || !group.is('PreparingRebalance')) return
  rt.timers.cancel(timerKey.join(group.groupId))
  group.joinDelay = null
  const gone = [...group.members.values()].filter((m) => !m.isAwaitingJoin && !m.isStatic)
  for (const m of gone) {
    m.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    group.remove(m.memberId)
    rt.timers.cancel(timerKey.session(group.groupId, m.memberId))
  }
  if (gone.length > 0) rt.logger.info(`group ${group.groupId}: removed member(s) that did not rejoin in time: ${gone.map((m) => m.memberId).join(', ')}`)
  if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
    rt.logger.warn(`group ${group.groupId}: no member rejoined; waiting another ${group.rebalanceTimeoutMs} ms for the static members`)
    group.joinDelay = 'normal'
    rt.timers.schedule(timerKey.join(group.groupId), group.rebalanceTimeoutMs, () => completeJoin(rt, group))
    return
  }
  group.initNextGeneration(rt.now())
  if (group.is('Empty')) {
    rt.logger.info(`group ${group.groupId}: generation ${group.generationId} is empty`)
    rt.storeGroup(group)
    return
  }
  rt.logger.info(`group ${group.groupId}: generation ${group.generationId} formed with ${group.size} member(s), protocol ${group.protocolName}, leader ${group.leaderId}`)
  for (const member of [...group.members.values()]) {
    const leader = group.isLeader(member.memberId)
    member.completeJoin({
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: leader ? group.currentMemberMetadata() : [],
      skipAssignment: false,
    })
    scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
    member.isNew = false
    group.pendingSyncMembers.add(member.memberId)
  }
  const generation = group.generationId
  rt.timers.schedule(timerKey.sync(group.groupId), group.rebalanceTimeoutMs, () => expirePendingSync(rt, group, generation))
}

/** Members that did not send SyncGroup in time are removed, and the group rebalances without them. */
function expirePendingSync(rt: GroupRuntime, group: ClassicGroup, generation: number): void {
  if (!rt.isCurrent(group) || group.generationId !== generation) return
  if (!group.is('CompletingRebalance') && !group.is('Stable')) return
  const late = [...group.pendingSyncMembers]
  if (late.length === 0) return
  for (const memberId of late) {
    const member = group.get(memberId)
    member?.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID))
    member?.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    group.remove(memberId)
    rt.timers.cancel(timerKey.session(group.groupId, memberId))
  }
  prepareRebalance(rt, group, `removed member(s) that sent no SyncGroup within the rebalance timeout: ${late.join(', ')}`)
}

/** A member's SyncGroup arrived: stop waiting for it. */
export function removePendingSyncMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId)
  if (group.pendingSyncMembers.size === 0) rt.timers.cancel(timerKey.sync(group.groupId))
}

/** (Re)arms a member's session timer: it is removed unless it shows life within `timeoutMs`. */
export function scheduleSessionExpiry(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, timeoutMs: number): void {
  const memberId = member.memberId
  rt.timers.schedule(timerKey.session(group.groupId, memberId), timeoutMs, () => expireSession(rt, group, memberId))
}

function expireSession(rt: GroupRuntime, group: ClassicGroup, memberId: string): void {
  if (!rt.isCurrent(group)) return
  const member = group.get(memberId)
  if (!member) return
  // A member parked in JoinGroup or SyncGroup is alive; its timer restarts when it is answered.
  if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return
  rt.logger.info(`group ${group.groupId}: member ${memberId} missed its session timeout of ${member.sessionTimeoutMs} ms; removing it`)
  removeMemberAndUpdateGroup(rt, group, member, `member ${memberId} timed out`)
}

/** A member id handed out with MEMBER_ID_REQUIRED is forgotten unless its JoinGroup comes within the session timeout. */
export function schedulePendingMemberExpiry(rt: GroupRuntime, group: ClassicGroup, memberId: string, timeoutMs: number): void {
  rt.timers.schedule(timerKey.session(group.groupId, memberId), timeoutMs, () => {
    if (!rt.isCurrent(group) || !group.pendingMembers.delete(memberId)) return
    tryCompleteJoin(rt, group)
  })
}

/** Forgets a pending member id (it left before joining). */
export function removePendingMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): void {
  group.pendingMembers.delete(memberId)
  rt.timers.cancel(timerKey.session(group.groupId, memberId))
  tryCompleteJoin(rt, group)
}

/**
 * Removes a member (left, timed out, removed by an administrator) and lets the group react: a
 * stable group rebalances, a rebalancing one may now complete. Its parked requests answer
 * UNKNOWN_MEMBER_ID.
 */
export function removeMemberAndUpdateGroup(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, reason: string): void {
  member.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID))
  member.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
  group.remove(member.memberId)
  rt.timers.cancel(timerKey.session(group.groupId, member.memberId))
  if (group.is('Stable') || group.is('CompletingRebalance')) maybePrepareRebalance(rt, group, reason)
  else if (group.is('PreparingRebalance')) tryCompleteJoin(rt, group)
}

/** Hands every member its assignment from the leader and answers the parked SyncGroups. */
export function setAndPropagateAssignment(rt: GroupRuntime, group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): void {
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY
  propagateAssignment(rt, group, ErrorCode.NONE)
}

/** Clears every assignment and answers the parked SyncGroups with `errorCode`. */
export function resetAndPropagateAssignmentError(rt: GroupRuntime, group: ClassicGroup, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = EMPTY
  propagateAssignment(rt, group, errorCode)
}

function propagateAssignment(rt: GroupRuntime, group: ClassicGroup, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE
  for (const m of group.members.values()) {
    const answered = m.completeSync({ errorCode, protocolType: ok ? group.protocolType : null, protocolName: ok ? group.protocolName : null, assignment: m.assignment })
    // Sessions restart once the member has its answer: while parked it could not heartbeat.
    if (answered) scheduleSessionExpiry(rt, group, m, m.sessionTimeoutMs)
  }
}

import { ClassicGroup } from './group.js'
import type { LoadedGroupState } from './group-loader.js'
import { GroupMember } from './member.js'
import { prepareRebalance, scheduleSessionExpiry } from './rebalance.js'
import type { GroupRuntime } from './runtime.js'

/**
 * Rebuilds the groups read back from `__consumer_offsets`, as Kafka does when it takes over a
 * partition: a group with members comes back Stable in its stored generation, with each member's
 * subscription and assignment, and every member's session timer starts afresh (members that are
 * still running reconnect and go on heartbeating; the others time out). A group without members
 * comes back Empty, keeping the time it became empty, from which its offsets expire. Groups that
 * only have committed offsets come back as Empty groups without a protocol type. A group above
 * `group.max.size` starts a rebalance at once.
 */
export function restoreGroups(rt: GroupRuntime, state: LoadedGroupState): void {
  for (const [groupId, stored] of state.groups) {
    const hasMembers = stored.members.length > 0 && stored.protocolName !== null && stored.protocolType !== null
    const group = new ClassicGroup(groupId, hasMembers ? 'Stable' : 'Empty', stored.stateTimestamp)
    group.generationId = stored.generationId
    group.protocolType = stored.protocolType
    group.protocolName = hasMembers ? stored.protocolName : null
    if (hasMembers) {
      for (const m of stored.members) {
        const member = new GroupMember({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          protocolType: stored.protocolType!,
          protocols: [{ name: stored.protocolName!, metadata: m.subscription }],
        })
        member.assignment = m.assignment
        group.add(member)
      }
      if (stored.leaderId !== null && group.has(stored.leaderId)) group.leaderId = stored.leaderId
    }
    group.subscribedTopics = group.computeSubscribedTopics()
    rt.groups.set(groupId, group)
    for (const member of group.members.values()) scheduleSessionExpiry(rt, group, member, member.sessionTimeoutMs)
    // group.max.size may have been lowered since: rebalance, so the excess members are turned away.
    if (group.size > rt.config.maxSize) prepareRebalance(rt, group, `the group has ${group.size} members, above group.max.size (${rt.config.maxSize})`)
  }
  for (const groupId of rt.offsets.groupIds()) {
    if (!rt.groups.has(groupId)) rt.groups.set(groupId, new ClassicGroup(groupId, 'Empty', rt.now()))
  }
}

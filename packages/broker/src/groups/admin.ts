import { ErrorCode } from '@tributary/protocol'
import type { GroupState } from './group.js'
import { storeErrorCode, type GroupRuntime } from './runtime.js'

/** One member as DescribeGroups shows it. */
export interface DescribedMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** The member's metadata for the chosen protocol (empty unless the group is Stable). */
  memberMetadata: Buffer
  /** Its assignment (empty unless the group is Stable). */
  memberAssignment: Buffer
}

/** A group as DescribeGroups shows it. */
export interface GroupDescription {
  errorCode: number
  groupId: string
  /** Kafka's state name, '' when the coordinator is unavailable. */
  groupState: GroupState | ''
  protocolType: string
  /** The chosen protocol while Stable, else ''. */
  protocolData: string
  members: DescribedMember[]
}

/** A group as ListGroups shows it. */
export interface GroupListing {
  groupId: string
  protocolType: string
  groupState: GroupState
  /** Every group this coordinator runs uses the classic protocol. */
  groupType: 'classic'
}

const EMPTY = Buffer.alloc(0)

/**
 * DescribeGroups for one group. An unknown group is described as Dead with no members and no
 * error, as Kafka answers up to DescribeGroups v5. Member metadata and assignments are shown only
 * while the group is Stable.
 */
export function describeGroup(rt: GroupRuntime, groupId: string): GroupDescription {
  if (!rt.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: [] }
  const group = rt.groups.get(groupId)
  if (!group) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] }
  const stable = group.is('Stable')
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? (group.protocolName ?? '') : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY,
      memberAssignment: stable ? m.assignment : EMPTY,
    })),
  }
}

/**
 * ListGroups: every live group, filtered by state (case-insensitive, ListGroups v4+) and type
 * (v5+: only "classic" matches; other types list nothing). Empty filters match everything.
 */
export function listGroups(rt: GroupRuntime, statesFilter: readonly string[], typesFilter: readonly string[]): { errorCode: number; groups: GroupListing[] } {
  if (!rt.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] }
  const states = new Set(statesFilter.map((s) => s.toLowerCase()))
  const types = new Set(typesFilter.map((t) => t.toLowerCase()))
  if (types.size > 0 && !types.has('classic')) return { errorCode: ErrorCode.NONE, groups: [] }
  const groups: GroupListing[] = []
  for (const g of rt.groups.values()) {
    if (g.is('Dead') || (states.size > 0 && !states.has(g.state.toLowerCase()))) continue
    groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' })
  }
  return { errorCode: ErrorCode.NONE, groups }
}

/**
 * DeleteGroups: an Empty group loses its committed offsets and metadata (tombstones) and becomes
 * Dead; a group with members answers NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
 */
export function deleteGroups(rt: GroupRuntime, groupIds: readonly string[]): { groupId: string; errorCode: number }[] {
  return groupIds.map((groupId) => {
    if (!rt.active) return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    const group = rt.groups.get(groupId)
    if (!group || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
    if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP }
    let removed: number
    try {
      removed = rt.offsets.removeAll(groupId)
    } catch (err) {
      rt.logger.error(`group ${groupId}: deleting its offsets failed`, err)
      return { groupId, errorCode: storeErrorCode(err, false) }
    }
    rt.removeGroup(group)
    rt.logger.info(`group ${groupId}: deleted, with ${removed} committed offset(s)`)
    return { groupId, errorCode: ErrorCode.NONE }
  })
}

import type { Logger } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'
import type { Assignor, AssignorMember } from '../assignors/assignor.js'
import { withholdTransfers } from '../assignors/cooperative-sticky.js'
import { tpKey } from '../record.js'
import type { JoinResult } from './join-sync.js'
import { CONSUMER_PROTOCOL_VERSION, decodeSubscription, encodeAssignment } from './protocol.js'

/** The leader's view of the group for one generation. */
export interface GroupView {
  members: AssignorMember[]
  /** Every topic any member subscribes to. */
  topics: string[]
  /** The consumer protocol version of each member's subscription, so its assignment uses one it reads. */
  versions: Map<string, number>
}

/** Decodes every member's subscription from a JoinGroup response (members are sorted by id). */
export function groupView(join: JoinResult, logger: Logger): GroupView {
  const members: AssignorMember[] = []
  const versions = new Map<string, number>()
  for (const m of join.members) {
    try {
      const s = decodeSubscription(m.metadata)
      versions.set(m.memberId, s.version)
      members.push({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        topics: s.topics,
        userData: s.userData,
        ownedPartitions: s.ownedPartitions,
        generationId: s.generationId,
        rackId: s.rackId,
      })
    } catch (err) {
      // A member whose subscription cannot be read gets nothing rather than breaking the group.
      logger.warn(`Cannot read the subscription of member ${m.memberId}: ${(err as Error).message}`)
      members.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: [], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
    }
  }
  members.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
  return { members, topics: [...new Set(members.flatMap((m) => m.topics))].sort(), versions }
}

/**
 * Runs the group's chosen assignor as leader and encodes each member's assignment. The result is
 * checked (no partition twice, none that does not exist, none to a member not subscribed to its
 * topic), then passed through the cooperative step: a partition still owned by another member is held
 * back until that member has revoked it, so no partition ever has two owners in one generation.
 */
export function computeAssignments(
  assignor: Assignor,
  view: GroupView,
  partitionsPerTopic: ReadonlyMap<string, number>,
): { memberId: string; assignment: Buffer }[] {
  const raw = assignor.assign({ members: view.members, partitionsPerTopic })
  const seen = new Set<string>()
  for (const [memberId, a] of raw) {
    const member = view.members.find((m) => m.memberId === memberId)
    if (!member) throw new KafkaError(`Assignor "${assignor.name}" assigned partitions to "${memberId}", which is not a member`, { code: 'ASSIGNOR_ERROR' })
    for (const tp of a.partitions) {
      const key = tpKey(tp.topic, tp.partition)
      const count = partitionsPerTopic.get(tp.topic)
      if (count === undefined || tp.partition < 0 || tp.partition >= count) {
        throw new KafkaError(`Assignor "${assignor.name}" assigned ${tp.topic}-${tp.partition}, which does not exist`, { code: 'ASSIGNOR_ERROR' })
      }
      if (seen.has(key)) throw new KafkaError(`Assignor "${assignor.name}" assigned ${tp.topic}-${tp.partition} twice`, { code: 'ASSIGNOR_ERROR' })
      if (!member.topics.includes(tp.topic)) {
        throw new KafkaError(`Assignor "${assignor.name}" assigned ${tp.topic}-${tp.partition} to ${memberId}, which does not subscribe to ${tp.topic}`, { code: 'ASSIGNOR_ERROR' })
      }
      seen.add(key)
    }
  }
  const safe = withholdTransfers(raw, view.members)
  return view.members.map((m) => {
    const a = safe.get(m.memberId)
    return { memberId: m.memberId, assignment: encodeAssignment(a?.partitions ?? [], a?.userData ?? null, Math.min(view.versions.get(m.memberId) ?? 0, CONSUMER_PROTOCOL_VERSION)) }
  })
}

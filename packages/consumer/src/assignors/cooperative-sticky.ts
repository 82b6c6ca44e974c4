import { tpKey } from '../record.js'
import type { Assignor, AssignmentContext, AssignorMember, MemberAssignment, SubscriptionContext } from './assignor.js'
import { stickyAssign, type OwnershipClaim } from './balance.js'

/**
 * Kafka's `cooperative-sticky` assignor (KIP-429, incremental cooperative rebalancing): the sticky
 * assignment, but members keep consuming their partitions while the group rebalances. A partition
 * that must move is first only taken away from its owner (it appears in nobody's assignment); the
 * owner revokes it, commits, and rejoins, and the next rebalance gives it to its new owner. Partitions
 * that do not move are never paused.
 *
 * Ownership comes from the subscription's `ownedPartitions` and `generationId` (consumer protocol
 * v1/v2); the user data carries the generation as an int32 too, for members that read it from there.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers, groupId: 'g', partitionAssignmentStrategy: ['cooperative-sticky'] })
 * ```
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'cooperative',
  subscriptionUserData({ generationId }: SubscriptionContext): Buffer {
    const b = Buffer.alloc(4)
    b.writeInt32BE(generationId, 0)
    return b
  },
  assign(context: AssignmentContext): Map<string, MemberAssignment> {
    const claims = new Map<string, OwnershipClaim>()
    for (const m of context.members) claims.set(m.memberId, { partitions: m.ownedPartitions, generationId: generationOf(m) })
    return withholdTransfers(stickyAssign(context, claims), context.members)
  },
}

function generationOf(m: AssignorMember): number {
  if (m.generationId >= 0) return m.generationId
  if (m.userData && m.userData.length >= 4) return m.userData.readInt32BE(0)
  return -1
}

/**
 * The cooperative step of KIP-429: a partition assigned to one member while another still owns it is
 * removed from the new owner's assignment. Its owner, not finding it in its own assignment, revokes it
 * and rejoins; the rebalance that follows assigns it. Idempotent, and a no-op when nobody reports
 * owned partitions (eager members), so the group leader applies it to every assignment.
 *
 * @example
 * ```ts
 * const safe = withholdTransfers(assignor.assign(context), context.members)
 * ```
 */
export function withholdTransfers(assignment: Map<string, MemberAssignment>, members: readonly AssignorMember[]): Map<string, MemberAssignment> {
  const owners = new Map<string, Set<string>>()
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const key = tpKey(tp.topic, tp.partition)
      let set = owners.get(key)
      if (!set) owners.set(key, (set = new Set()))
      set.add(m.memberId)
    }
  }
  if (owners.size === 0) return assignment
  for (const [memberId, a] of assignment) {
    a.partitions = a.partitions.filter((tp) => {
      const claimants = owners.get(tpKey(tp.topic, tp.partition))
      return !claimants || [...claimants].every((id) => id === memberId)
    })
  }
  return assignment
}

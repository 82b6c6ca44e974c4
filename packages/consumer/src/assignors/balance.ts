import { tpKey, type TopicPartition } from '../record.js'
import { compareMembers, emptyAssignment, type AssignmentContext, type AssignorMember, type MemberAssignment } from './assignor.js'

/** A member's claim to partitions it owned before, and the generation it owned them in. */
export interface OwnershipClaim {
  partitions: readonly TopicPartition[]
  generationId: number
}

/**
 * The sticky assignment shared by `sticky` and `cooperative-sticky`: as balanced as the
 * subscriptions allow (with identical subscriptions, partition counts differ by at most one), moving
 * as few previously owned partitions as possible, and deterministic.
 *
 * 1. Claims are validated: a partition that no longer exists, or whose topic its claimant no longer
 *    subscribes to, is dropped; two claims to one partition are settled by the higher generation (a
 *    tie leaves it unowned, since the claims cannot both be true).
 * 2. Every member keeps what it validly owns; unowned partitions go one by one to the eligible
 *    member with the fewest partitions.
 * 3. While some member has at least two partitions more than another member that could take one of
 *    them, a partition moves from the first to the second: the most loaded member gives first,
 *    partitions it did not own before go first, then its highest-numbered ones.
 */
export function stickyAssign(context: AssignmentContext, claims: ReadonlyMap<string, OwnershipClaim>): Map<string, MemberAssignment> {
  const members = [...context.members].sort(compareMembers)
  const order = new Map(members.map((m, i) => [m.memberId, i]))
  const subscribed = new Map(members.map((m) => [m.memberId, new Set(m.topics)]))
  const eligible = new Map<string, AssignorMember[]>()
  for (const [topic] of context.partitionsPerTopic) {
    const list = members.filter((m) => subscribed.get(m.memberId)!.has(topic))
    if (list.length > 0) eligible.set(topic, list)
  }

  // 1. Settle the claims.
  const owner = new Map<string, { memberId: string; generationId: number; contested: boolean }>()
  for (const m of members) {
    const claim = claims.get(m.memberId)
    if (!claim) continue
    for (const tp of claim.partitions) {
      const count = context.partitionsPerTopic.get(tp.topic)
      if (count === undefined || tp.partition < 0 || tp.partition >= count || !subscribed.get(m.memberId)!.has(tp.topic)) continue
      const key = tpKey(tp.topic, tp.partition)
      const current = owner.get(key)
      if (!current || claim.generationId > current.generationId) owner.set(key, { memberId: m.memberId, generationId: claim.generationId, contested: false })
      else if (claim.generationId === current.generationId && current.memberId !== m.memberId) current.contested = true
    }
  }

  // 2. Keep valid ownership, then hand out the rest.
  const assigned = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]))
  const kept = new Set<string>()
  const unowned: TopicPartition[] = []
  for (const [topic, count] of [...context.partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!eligible.has(topic)) continue
    for (let p = 0; p < count; p++) {
      const key = tpKey(topic, p)
      const o = owner.get(key)
      if (o && !o.contested) {
        assigned.get(o.memberId)!.push({ topic, partition: p })
        kept.add(`${o.memberId}\u0000${key}`)
      } else unowned.push({ topic, partition: p })
    }
  }
  const load = (id: string) => assigned.get(id)!.length
  const lighter = (a: AssignorMember, b: AssignorMember) => load(a.memberId) - load(b.memberId) || order.get(a.memberId)! - order.get(b.memberId)!
  for (const tp of unowned) {
    const target = eligible.get(tp.topic)!.reduce((best, m) => (lighter(m, best) < 0 ? m : best))
    assigned.get(target.memberId)!.push(tp)
  }

  // 3. Rebalance: move from the most loaded to the least loaded eligible member.
  for (;;) {
    const byLoad = [...members].sort((a, b) => load(b.memberId) - load(a.memberId) || order.get(a.memberId)! - order.get(b.memberId)!)
    let moved = false
    for (const from of byLoad) {
      const mine = assigned.get(from.memberId)!
      const candidates = mine
        .map((tp, index) => ({ tp, index, owned: kept.has(`${from.memberId}\u0000${tpKey(tp.topic, tp.partition)}`) }))
        .sort((a, b) => Number(a.owned) - Number(b.owned) || (a.tp.topic < b.tp.topic ? 1 : a.tp.topic > b.tp.topic ? -1 : b.tp.partition - a.tp.partition))
      for (const { tp, index } of candidates) {
        const target = eligible.get(tp.topic)!.reduce((best, m) => (lighter(m, best) < 0 ? m : best))
        if (load(target.memberId) <= mine.length - 2) {
          mine.splice(index, 1)
          assigned.get(target.memberId)!.push(tp)
          moved = true
          break
        }
      }
      if (moved) break
    }
    if (!moved) break
  }

  const result = emptyAssignment(context.members)
  for (const [id, partitions] of assigned) {
    result.get(id)!.partitions = partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  }
  return result
}

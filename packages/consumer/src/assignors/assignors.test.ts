import { describe, expect, it } from 'vitest'
import type { TopicPartition } from '../record.js'
import type { Assignor, AssignorMember, MemberAssignment } from './assignor.js'
import { cooperativeStickyAssignor, withholdTransfers } from './cooperative-sticky.js'
import { rangeAssignor } from './range.js'
import { roundRobinAssignor } from './roundrobin.js'
import { decodeStickyUserData, encodeStickyUserData, stickyAssignor } from './sticky.js'

const member = (memberId: string, topics: string[], owned: TopicPartition[] = [], generationId = -1, groupInstanceId: string | null = null): AssignorMember => ({
  memberId,
  groupInstanceId,
  topics,
  userData: null,
  ownedPartitions: owned,
  generationId,
  rackId: null,
})
const tp = (s: string): TopicPartition => {
  const i = s.lastIndexOf('-')
  return { topic: s.slice(0, i), partition: Number(s.slice(i + 1)) }
}
const names = (a: MemberAssignment | undefined) => (a?.partitions ?? []).map((p) => `${p.topic}-${p.partition}`).sort()
const plain = (result: Map<string, MemberAssignment>) => Object.fromEntries([...result].map(([id, a]) => [id, names(a)]))
const counts = (entries: [string, number][]) => new Map(entries)

/** Every partition exactly once, each to a member subscribed to its topic. */
function expectValid(result: Map<string, MemberAssignment>, members: AssignorMember[], partitionsPerTopic: Map<string, number>): void {
  const all = [...result.values()].flatMap(names)
  const expected = [...partitionsPerTopic].flatMap(([t, n]) => (members.some((m) => m.topics.includes(t)) ? Array.from({ length: n }, (_, p) => `${t}-${p}`) : []))
  expect(all.sort()).toEqual(expected.sort())
  for (const [id, a] of result) for (const p of a.partitions) expect(members.find((m) => m.memberId === id)!.topics).toContain(p.topic)
}

/** Whether the partition counts differ by at most one. */
const balanced = (result: Map<string, MemberAssignment>) => {
  const sizes = [...result.values()].map((a) => a.partitions.length)
  return Math.max(...sizes) - Math.min(...sizes) <= 1
}

describe('range', () => {
  it('gives contiguous ranges per topic, the first members one extra', () => {
    const members = [member('c', ['t', 'u']), member('a', ['t', 'u']), member('b', ['t'])]
    const result = rangeAssignor.assign({ members, partitionsPerTopic: counts([['t', 5], ['u', 3]]) })
    expect(plain(result)).toEqual({ a: ['t-0', 't-1', 'u-0', 'u-1'], b: ['t-2', 't-3'], c: ['t-4', 'u-2'] })
  })

  it('orders static members by instance id', () => {
    const members = [member('m1', ['t'], [], -1, 'z'), member('m2', ['t'], [], -1, 'a')]
    expect(plain(rangeAssignor.assign({ members, partitionsPerTopic: counts([['t', 2]]) }))).toEqual({ m1: ['t-1'], m2: ['t-0'] })
  })
})

describe('roundrobin', () => {
  it('deals partitions in turn, skipping members not subscribed', () => {
    const members = [member('a', ['t', 'u']), member('b', ['t']), member('c', ['u'])]
    const result = roundRobinAssignor.assign({ members, partitionsPerTopic: counts([['t', 3], ['u', 3]]) })
    expect(plain(result)).toEqual({ a: ['t-0', 't-2', 'u-1'], b: ['t-1'], c: ['u-0', 'u-2'] })
  })
})

describe.each([
  ['sticky', stickyAssignor],
  ['cooperative-sticky', cooperativeStickyAssignor],
] as [string, Assignor][])('%s', (_, assignor) => {
  it('is deterministic whatever order members arrive in, and balanced', () => {
    const ms = ['m3', 'm1', 'm4', 'm2'].map((id) => member(id, ['t', 'u']))
    const p = counts([['t', 7], ['u', 6]])
    const one = plain(assignor.assign({ members: ms, partitionsPerTopic: p }))
    const two = plain(assignor.assign({ members: [...ms].reverse(), partitionsPerTopic: p }))
    expect(one).toEqual(two)
    const result = assignor.assign({ members: ms, partitionsPerTopic: p })
    expectValid(result, ms, p)
    expect(balanced(result)).toBe(true)
  })

  it('balances heterogeneous subscriptions as far as they allow', () => {
    const ms = [member('a', ['t']), member('b', ['t', 'u']), member('c', ['u'])]
    const p = counts([['t', 4], ['u', 4]])
    const result = assignor.assign({ members: ms, partitionsPerTopic: p })
    expectValid(result, ms, p)
    const sizes = Object.fromEntries([...result].map(([id, a]) => [id, a.partitions.length]))
    expect(Math.max(...Object.values(sizes)) - Math.min(...Object.values(sizes))).toBeLessThanOrEqual(1)
  })
})

describe('sticky', () => {
  it('moves only what balance requires when a member joins', () => {
    const prev = { a: ['t-0', 't-1', 't-2'], b: ['t-3', 't-4', 't-5'] }
    const withData = (id: 'a' | 'b') => ({ ...member(id, ['t']), userData: encodeStickyUserData(prev[id].map(tp), 4) })
    const result = stickyAssignor.assign({ members: [withData('a'), withData('b'), member('c', ['t'])], partitionsPerTopic: counts([['t', 6]]) })
    const r = plain(result)
    expect(r.a!.every((p) => prev.a.includes(p))).toBe(true)
    expect(r.b!.every((p) => prev.b.includes(p))).toBe(true)
    expect([r.a!.length, r.b!.length, r.c!.length]).toEqual([2, 2, 2])
  })

  it('keeps everything when a member leaves, spreading only its partitions', () => {
    const prev = { a: ['t-0', 't-1'], b: ['t-2', 't-3'], c: ['t-4', 't-5'] }
    const withData = (id: 'a' | 'b') => ({ ...member(id, ['t']), userData: encodeStickyUserData(prev[id].map(tp), 7) })
    const r = plain(stickyAssignor.assign({ members: [withData('a'), withData('b')], partitionsPerTopic: counts([['t', 6]]) }))
    expect(r.a).toEqual(expect.arrayContaining(prev.a))
    expect(r.b).toEqual(expect.arrayContaining(prev.b))
    expect(r.a!.length + r.b!.length).toBe(6)
  })

  it("round-trips Java's StickyAssignorUserData and settles conflicting claims by generation", () => {
    const data = encodeStickyUserData([tp('t-0'), tp('u-1'), tp('t-2')], 9)
    expect(decodeStickyUserData(data)).toEqual({ partitions: [tp('t-0'), tp('t-2'), tp('u-1')], generationId: 9 })
    const stale = { ...member('a', ['t']), userData: encodeStickyUserData([tp('t-0'), tp('t-1')], 3) }
    const fresh = { ...member('b', ['t']), userData: encodeStickyUserData([tp('t-0')], 5) }
    expect(plain(stickyAssignor.assign({ members: [stale, fresh], partitionsPerTopic: counts([['t', 2]]) }))).toEqual({ a: ['t-1'], b: ['t-0'] })
  })
})

describe('cooperative-sticky (KIP-429)', () => {
  const p = counts([['t', 6]])

  it('revokes only the partitions that move, and withholds them from their new owner', () => {
    // a and b own everything; c joins. Two partitions must move to c: in this round they are only revoked.
    const a = member('a', ['t'], ['t-0', 't-1', 't-2'].map(tp), 4)
    const b = member('b', ['t'], ['t-3', 't-4', 't-5'].map(tp), 4)
    const c = member('c', ['t'])
    const first = plain(cooperativeStickyAssignor.assign({ members: [a, b, c], partitionsPerTopic: p }))
    expect(first.c).toEqual([])
    expect(first.a!.length + first.b!.length).toBe(4)
    const revoked = [...['t-0', 't-1', 't-2'].filter((x) => !first.a!.includes(x)), ...['t-3', 't-4', 't-5'].filter((x) => !first.b!.includes(x))]
    expect(revoked).toHaveLength(2)
    // Second round: a and b rejoin owning what they kept; c gets exactly the revoked partitions.
    const second = plain(
      cooperativeStickyAssignor.assign({
        members: [member('a', ['t'], first.a!.map(tp), 5), member('b', ['t'], first.b!.map(tp), 5), c],
        partitionsPerTopic: p,
      }),
    )
    expect(second.a).toEqual(first.a)
    expect(second.b).toEqual(first.b)
    expect(second.c).toEqual(revoked.sort())
  })

  it('moves nothing when membership does not change', () => {
    const a = member('a', ['t'], ['t-0', 't-2', 't-4'].map(tp), 2)
    const b = member('b', ['t'], ['t-1', 't-3', 't-5'].map(tp), 2)
    expect(plain(cooperativeStickyAssignor.assign({ members: [a, b], partitionsPerTopic: p }))).toEqual({ a: ['t-0', 't-2', 't-4'], b: ['t-1', 't-3', 't-5'] })
  })

  it('reads generations from user data (subscription v0/v1), and withholds a contested partition from everyone', () => {
    const gen = (n: number) => {
      const b = Buffer.alloc(4)
      b.writeInt32BE(n)
      return b
    }
    const old = { ...member('a', ['t'], [tp('t-0')]), userData: gen(1) }
    const current = { ...member('b', ['t'], [tp('t-0')]), userData: gen(2) }
    const r = plain(cooperativeStickyAssignor.assign({ members: [old, current], partitionsPerTopic: counts([['t', 2]]) }))
    // b's newer claim wins t-0 and a gets t-1, but a still reports owning t-0: until both have revoked
    // it, nobody may be handed t-0 (a may still be consuming it).
    expect(r).toEqual({ a: ['t-1'], b: [] })
    const after = plain(cooperativeStickyAssignor.assign({ members: [{ ...old, ownedPartitions: [tp('t-1')], userData: gen(3) }, { ...current, ownedPartitions: [], userData: gen(3) }], partitionsPerTopic: counts([['t', 2]]) }))
    expect(after).toEqual({ a: ['t-1'], b: ['t-0'] })
  })

  it('withholdTransfers is a no-op when nobody reports owned partitions', () => {
    const assignment = new Map([['a', { partitions: [tp('t-0')] }]])
    expect(plain(withholdTransfers(assignment, [member('a', ['t'])]))).toEqual({ a: ['t-0'] })
  })
})

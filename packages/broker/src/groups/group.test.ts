import { ConsumerProtocolSubscriptionCodec, ErrorCode, Writer } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { ClassicGroup } from './group.js'
import { GroupMember, type MemberProtocol } from './member.js'

function member(id: string, protocols: string[] | MemberProtocol[], instance: string | null = null): GroupMember {
  return new GroupMember({
    memberId: id,
    groupInstanceId: instance,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 1000,
    sessionTimeoutMs: 1000,
    protocolType: 'consumer',
    protocols: protocols.map((p) => (typeof p === 'string' ? { name: p, metadata: Buffer.from(p) } : p)),
  })
}

describe('ClassicGroup', () => {
  it('moves only along the classic state machine', () => {
    const g = new ClassicGroup('g', 'Empty', 0)
    expect(() => g.transitionTo('Stable', 1)).toThrow(/cannot move from Empty to Stable/)
    g.transitionTo('PreparingRebalance', 1)
    g.transitionTo('CompletingRebalance', 2)
    g.transitionTo('Stable', 3)
    expect(g.stateTimestamp).toBe(3)
    expect(g.canRebalance).toBe(true)
    g.transitionTo('Dead', 4)
    expect(g.canRebalance).toBe(false)
  })

  it('selects the protocol by vote among those every member supports', () => {
    const g = new ClassicGroup('g', 'Empty', 0)
    g.add(member('a', ['range', 'roundrobin']))
    g.add(member('b', ['roundrobin', 'range']))
    g.add(member('c', ['roundrobin', 'sticky', 'range']))
    expect([...g.candidateProtocols()].sort()).toEqual(['range', 'roundrobin'])
    expect(g.selectProtocol()).toBe('roundrobin')
    // A tie goes to the oldest member's preference.
    const tie = new ClassicGroup('t', 'Empty', 0)
    tie.add(member('a', ['range', 'roundrobin']))
    tie.add(member('b', ['roundrobin', 'range']))
    expect(tie.selectProtocol()).toBe('range')
  })

  it('accepts a joining member only with the group’s protocol type and a protocol everyone supports', () => {
    const g = new ClassicGroup('g', 'Empty', 0)
    expect(g.supportsProtocols('', ['range'])).toBe(false)
    expect(g.supportsProtocols('consumer', [])).toBe(false)
    g.add(member('a', ['range']))
    g.transitionTo('PreparingRebalance', 1)
    expect(g.protocolType).toBe('consumer')
    expect(g.supportsProtocols('consumer', ['roundrobin', 'range'])).toBe(true)
    expect(g.supportsProtocols('consumer', ['roundrobin'])).toBe(false)
    expect(g.supportsProtocols('connect', ['range'])).toBe(false)
  })

  it('passes leadership on when the leader goes, and elects a rejoined member when the leader did not rejoin', () => {
    const g = new ClassicGroup('g', 'Empty', 0)
    const [a, b, c] = [member('a', ['range']), member('b', ['range']), member('c', ['range'])]
    for (const m of [a, b, c]) g.add(m)
    expect(g.leaderId).toBe('a')
    g.remove('a')
    expect(g.leaderId).toBe('b')
    void c.awaitJoin()
    expect(g.maybeElectNewJoinedLeader()).toBe(true)
    expect(g.leaderId).toBe('c')
  })

  it('replaces a static member’s id in place, fencing what the old id was waiting for', async () => {
    const g = new ClassicGroup('g', 'Empty', 0)
    g.add(member('x-1', ['range'], 'x'))
    g.add(member('y-1', ['range']))
    const parked = g.get('x-1')!.awaitSync()
    const m = g.replaceStaticMember('x', 'x-1', 'x-2')
    expect((await parked).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
    expect(m.memberId).toBe('x-2')
    expect([...g.members.keys()]).toEqual(['x-2', 'y-1'])
    expect(g.leaderId).toBe('x-2')
    expect(g.validateMember('x-1', 'x')).toBe(ErrorCode.FENCED_INSTANCE_ID)
    expect(g.validateMember('x-2', 'x')).toBe(ErrorCode.NONE)
    expect(g.validateMember('x-2', 'unknown')).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(g.validateMember('nobody', null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('reads subscribed topics from consumer metadata, and admits not knowing them for unreadable metadata', () => {
    const sub = (topics: string[]) => {
      const w = new Writer().int16(1)
      ConsumerProtocolSubscriptionCodec.encode(w, 1, { topics, userData: null, ownedPartitions: [] })
      return w.toBuffer()
    }
    const g = new ClassicGroup('g', 'Empty', 0)
    g.add(member('a', [{ name: 'range', metadata: sub(['orders', 'payments']) }]))
    g.add(member('b', [{ name: 'range', metadata: sub(['orders']) }]))
    g.transitionTo('PreparingRebalance', 1)
    g.initNextGeneration(2)
    expect([...g.subscribedTopics!].sort()).toEqual(['orders', 'payments'])
    expect(g.isSubscribedToTopic('audit')).toBe(false)
    g.get('b')!.protocols = [{ name: 'range', metadata: Buffer.from([0xde, 0xad]) }]
    expect(g.computeSubscribedTopics()).toBeNull()
  })
})

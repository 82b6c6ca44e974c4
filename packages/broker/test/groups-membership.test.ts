import { DescribeGroupsApi, ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi } from '@tributary/protocol'
import { RawClient, sleep, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assignedPartitions, assignmentBytes, subscriptionBytes } from './groups-helpers.js'
import { RawMember, type RawMemberOptions } from './groups-raw-member.js'

let t: TestBroker
let admin: RawClient
const members: RawMember[] = []
let groupCounter = 0

beforeAll(async () => {
  t = await startTestBroker({ configs: { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '100' } })
  admin = await RawClient.connect(t.broker.port)
})
afterAll(async () => {
  await admin.close()
  await t.broker.close()
})
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()))
})

const newGroup = () => `group-${++groupCounter}`

async function member(options: Partial<RawMemberOptions> & { groupId: string }): Promise<RawMember> {
  const m = await RawMember.connect(t.broker.port, { protocols: [{ name: 'range', metadata: subscriptionBytes(['t']) }], ...options })
  members.push(m)
  return m
}

async function describe1(groupId: string) {
  const res = await admin.request(DescribeGroupsApi, 5, { groups: [groupId], includeAuthorizedOperations: true })
  return res.groups[0]!
}

describe('JoinGroup', () => {
  it('hands out member ids with MEMBER_ID_REQUIRED (v4+), and checks group id and session timeout', async () => {
    const groupId = newGroup()
    const m = await member({ groupId })
    const first = await m.joinOnce(5)
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    expect(first.memberId).toMatch(/^raw-member-[0-9a-f-]{36}$/)
    const second = await m.joinOnce(5)
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: first.memberId, memberId: first.memberId, protocolName: 'range' })
    expect(second.members.map((x) => x.memberId)).toEqual([first.memberId])

    // v3 has no MEMBER_ID_REQUIRED: the member id comes with the first answer; v0 neither.
    const old = await member({ groupId: newGroup() })
    expect((await old.joinOnce(3)).errorCode).toBe(ErrorCode.NONE)
    const v0 = await member({ groupId: newGroup() })
    expect(await v0.joinOnce(0)).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' })
    // v7+ also answer the protocol type; v9 is flexible and carries skipAssignment.
    const v9 = await member({ groupId: newGroup() })
    expect(await v9.join(9)).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range', skipAssignment: false })

    const bad = (body: object) => admin.request(JoinGroupApi, 5, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], ...body })
    expect((await bad({ groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await bad({ sessionTimeoutMs: 50 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await bad({ sessionTimeoutMs: 1_800_001 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await bad({ groupId: 'nobody-here', memberId: 'made-up' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('answers INCONSISTENT_GROUP_PROTOCOL to a member with no protocol in common, and picks a common one', async () => {
    const groupId = newGroup()
    const a = await member({ groupId, protocols: [{ name: 'range', metadata: subscriptionBytes(['t']) }] })
    await a.join()
    expect((await a.sync([{ memberId: a.memberId, assignment: assignmentBytes('t', [0]) }])).errorCode).toBe(ErrorCode.NONE)

    const b = await member({ groupId, protocols: [{ name: 'roundrobin', metadata: subscriptionBytes(['t']) }] })
    expect((await b.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    const c = await member({ groupId, protocolType: 'connect' })
    expect((await c.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await describe1(groupId)).members).toHaveLength(1)

    // Supporting both, with roundrobin first: the group keeps to what everyone supports.
    const d = await member({ groupId, protocols: [{ name: 'roundrobin', metadata: Buffer.from('d-rr') }, { name: 'range', metadata: Buffer.from('d-range') }] })
    const dJoined = d.join()
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    const aJoined = await a.join()
    expect(aJoined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, protocolName: 'range', leader: a.memberId })
    expect((await dJoined).members).toEqual([])
    // The leader gets each member's metadata for the chosen protocol.
    expect(new Map(aJoined.members.map((x) => [x.memberId, x.metadata.toString()])).get(d.memberId)).toBe('d-range')
  })

  it('chooses the protocol by vote among those every member supports', async () => {
    const groupId = newGroup()
    const prefs = [['roundrobin', 'range'], ['range', 'roundrobin'], ['roundrobin', 'range', 'sticky']]
    const ms = await Promise.all(prefs.map((p) => member({ groupId, protocols: p.map((name) => ({ name, metadata: Buffer.from(name) })) })))
    await ms[0]!.join()
    const later = [ms[1]!.join(), ms[2]!.join()]
    await waitFor(async () => (await ms[0]!.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    const results = await Promise.all([ms[0]!.join(), ...later])
    expect(results.map((r) => r.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin'])
    expect(new Set(results.map((r) => r.generationId)).size).toBe(1)
  })
})

describe('SyncGroup and Heartbeat', () => {
  it('hands each member the leader’s assignment, bytes unchanged, and rejects stale generations', async () => {
    const groupId = newGroup()
    const a = await member({ groupId })
    const b = await member({ groupId })
    await a.join()
    await a.sync([{ memberId: a.memberId, assignment: assignmentBytes('t', [0, 1]) }])
    const bJoined = b.join()
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    // Syncing with the generation being replaced answers REBALANCE_IN_PROGRESS.
    expect((await a.sync()).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    await a.join()
    await bJoined
    expect(a.generationId).toBe(2)

    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37])
    const followerSync = b.sync()
    await sleep(50)
    const leaderSync = await a.sync([
      { memberId: a.memberId, assignment: assignmentBytes('t', [0]) },
      { memberId: b.memberId, assignment: garbage },
      { memberId: 'not-a-member', assignment: Buffer.from('ignored') },
    ])
    expect(leaderSync.errorCode).toBe(ErrorCode.NONE)
    expect(assignedPartitions(leaderSync.assignment)).toEqual(['t-0'])
    const follower = await followerSync
    expect(follower.errorCode).toBe(ErrorCode.NONE)
    expect(Buffer.compare(follower.assignment, garbage)).toBe(0)

    const described = await describe1(groupId)
    expect(described).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort())
    expect(described.members.every((m) => m.clientHost === '/127.0.0.1' && m.clientId === 'raw-member')).toBe(true)

    const stale = await admin.request(SyncGroupApi, 3, { groupId, generationId: 1, memberId: a.memberId, assignments: [] })
    expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect((await admin.request(HeartbeatApi, 3, { groupId, generationId: 1, memberId: a.memberId })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect((await admin.request(HeartbeatApi, 3, { groupId, generationId: 2, memberId: 'who' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await admin.request(SyncGroupApi, 5, { groupId, generationId: 2, memberId: a.memberId, protocolType: 'connect', protocolName: 'range', assignments: [] })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    )
    expect((await admin.request(SyncGroupApi, 5, { groupId, generationId: 2, memberId: a.memberId, protocolType: 'consumer', protocolName: 'range', assignments: [] })).assignment).toEqual(
      assignmentBytes('t', [0]),
    )
  })

  it('removes a member that stops heartbeating and gives its partitions to the next generation', async () => {
    const groupId = newGroup()
    t.broker.logs.createTopic('session-topic', { partitions: 4 })
    const a = await member({ groupId, sessionTimeoutMs: 5_000, rebalanceTimeoutMs: 3_000 })
    const b = await member({ groupId, sessionTimeoutMs: 400, rebalanceTimeoutMs: 3_000 })
    await a.join()
    await a.sync([{ memberId: a.memberId, assignment: assignmentBytes('session-topic', [0, 1, 2, 3]) }])
    const bJoined = b.join()
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    await a.join()
    await bJoined
    const bSync = b.sync()
    // b's session restarts when it gets its assignment, after this point, and b stays silent from then on.
    const silentSince = Date.now()
    await a.sync([
      { memberId: a.memberId, assignment: assignmentBytes('session-topic', [0, 1]) },
      { memberId: b.memberId, assignment: assignmentBytes('session-topic', [2, 3]) },
    ])
    expect(assignedPartitions((await bSync).assignment)).toEqual(['session-topic-2', 'session-topic-3'])

    // a keeps heartbeating and is told to rejoin once b's session has expired.
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS, { intervalMs: 50, message: 'the rebalance after b timed out' })
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(350)
    expect(t.log.matching(`member ${b.memberId} missed its session timeout`)).toHaveLength(1)
    const rejoined = await a.join()
    expect(rejoined.generationId).toBe(3)
    expect(rejoined.members.map((m) => m.memberId)).toEqual([a.memberId])
    const everything = assignmentBytes('session-topic', [0, 1, 2, 3])
    expect(assignedPartitions((await a.sync([{ memberId: a.memberId, assignment: everything }])).assignment)).toEqual(['session-topic-0', 'session-topic-1', 'session-topic-2', 'session-topic-3'])
    expect(await b.heartbeat()).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const described = await describe1(groupId)
    expect(described.groupState).toBe('Stable')
    expect(described.members.map((m) => [m.memberId, assignedPartitions(m.memberAssignment).length])).toEqual([[a.memberId, 4]])
  })

  it('removes dynamic members that do not rejoin within the rebalance timeout', async () => {
    const groupId = newGroup()
    const a = await member({ groupId, rebalanceTimeoutMs: 300 })
    const b = await member({ groupId, rebalanceTimeoutMs: 300 })
    await a.join()
    await a.sync()
    const bJoined = b.join()
    // a heartbeats (so its session stays alive) but never rejoins.
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    const joined = await bJoined
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: b.memberId })
    expect(joined.members.map((m) => m.memberId)).toEqual([b.memberId])
    expect(await a.heartbeat()).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })
})

describe('static membership (KIP-345)', () => {
  it('lets a restarted instance take over its member id without a rebalance, fencing the old id', async () => {
    const groupId = newGroup()
    const first = await member({ groupId, groupInstanceId: 'instance-1' })
    const joined = await first.join(5)
    // Static members get their id at once, prefixed by the instance id.
    expect(joined.errorCode).toBe(ErrorCode.NONE)
    expect(first.memberId).toMatch(/^instance-1-/)
    await first.sync([{ memberId: first.memberId, assignment: assignmentBytes('t', [0, 1]) }])

    const restarted = await member({ groupId, groupInstanceId: 'instance-1' })
    const again = await restarted.join(5)
    expect(again.errorCode).toBe(ErrorCode.NONE)
    expect(again.memberId).not.toBe(first.memberId)
    // Same generation, and the previous leader id, so the rejoined leader does not reassign.
    expect(again).toMatchObject({ generationId: 1, leader: first.memberId, members: [] })
    expect((await describe1(groupId)).groupState).toBe('Stable')
    expect(assignedPartitions((await restarted.sync()).assignment)).toEqual(['t-0', 't-1'])

    expect(await first.heartbeat()).toBe(ErrorCode.FENCED_INSTANCE_ID)
    expect((await first.sync()).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
    expect(await restarted.heartbeat()).toBe(ErrorCode.NONE)
    const fencedJoin = await first.joinOnce(5)
    expect(fencedJoin.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)

    // v9: the rejoining static leader learns it leads, but is told to skip the assignment.
    const third = await member({ groupId, groupInstanceId: 'instance-1' })
    const v9 = await third.join(9)
    expect(v9).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: third.memberId, skipAssignment: true })
    expect(v9.members.map((m) => m.memberId)).toEqual([third.memberId])
  })

  it('rebalances when a static member rejoins with protocols that change the group’s choice', async () => {
    const groupId = newGroup()
    const s = await member({ groupId, groupInstanceId: 'inst-a', protocols: [{ name: 'range', metadata: Buffer.from('r') }] })
    await s.join(5)
    await s.sync()
    const replaced = await member({ groupId, groupInstanceId: 'inst-a', protocols: [{ name: 'range', metadata: Buffer.from('r') }, { name: 'sticky', metadata: Buffer.from('s') }] })
    const res = await replaced.join(5, { protocols: [{ name: 'sticky', metadata: Buffer.from('s') }, { name: 'range', metadata: Buffer.from('r') }] })
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, protocolName: 'sticky' })
  })
})

describe('LeaveGroup', () => {
  it('removes members in a batch (v3+), by instance id too, with a result per member', async () => {
    const groupId = newGroup()
    const a = await member({ groupId, groupInstanceId: 'leave-a' })
    await a.join()
    await a.sync()
    const res = await admin.request(LeaveGroupApi, 4, {
      groupId,
      members: [
        { memberId: '', groupInstanceId: 'leave-a' },
        { memberId: 'nobody', groupInstanceId: null },
        { memberId: '', groupInstanceId: 'unknown-instance' },
      ],
    })
    expect(res.errorCode).toBe(ErrorCode.NONE)
    expect(res.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID])
    await waitFor(async () => (await describe1(groupId)).groupState === 'Empty')
    // v0-v2 name one member and answer its error at the top level.
    expect((await admin.request(LeaveGroupApi, 1, { groupId, memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await admin.request(LeaveGroupApi, 0, { groupId: 'no-such-group', memberId: 'x' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('makes the remaining members rebalance when one leaves', async () => {
    const groupId = newGroup()
    const a = await member({ groupId })
    const b = await member({ groupId })
    await a.join()
    await a.sync()
    const bJoined = b.join()
    await waitFor(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    await a.join()
    await bJoined
    await Promise.all([a.sync(), b.sync()])
    expect(await a.leave()).toBe(ErrorCode.NONE)
    // The leader left: b is told to rejoin and becomes the leader of the next generation.
    await waitFor(async () => (await b.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS)
    expect(await b.join()).toMatchObject({ generationId: 3, leader: b.memberId })
  })
})

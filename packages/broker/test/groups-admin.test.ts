import { DeleteGroupsApi, DescribeGroupsApi, ErrorCode, HeartbeatApi, ListGroupsApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi } from '@tributary/protocol'
import { RawClient, startTestBroker, tempDir, waitFor, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { HandlerRegistry } from '../src/handlers/index.js'
import { assignedPartitions, assignmentBytes, subscriptionBytes } from './groups-helpers.js'
import { RawMember } from './groups-raw-member.js'

const CONFIGS = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '100' }
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(options: Parameters<typeof startTestBroker>[0] = {}): Promise<{ t: TestBroker; client: RawClient }> {
  const t = await startTestBroker({ configs: CONFIGS, ...options })
  const client = await RawClient.connect(t.broker.port)
  cleanups.push(() => t.broker.close(), () => client.close())
  return { t, client }
}

async function stableMember(port: number, groupId: string, topics: string[], instance: string | null = null): Promise<RawMember> {
  const m = await RawMember.connect(port, { groupId, groupInstanceId: instance, sessionTimeoutMs: 30_000, protocols: [{ name: 'range', metadata: subscriptionBytes(topics) }] })
  cleanups.push(() => m.close())
  await m.join(5)
  await m.sync([{ memberId: m.memberId, assignment: assignmentBytes(topics[0]!, [0]) }])
  return m
}

function commitSimple(client: RawClient, groupId: string, topic: string, partitions: number[], offset = 5n) {
  return client.request(OffsetCommitApi, 8, { groupId, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, committedOffset: offset, committedMetadata: '' })) }] })
}

describe('the group APIs', () => {
  it('are advertised at the version ranges modern clients negotiate', () => {
    const ranges = new HandlerRegistry().apiVersions()
    expect(ranges).toEqual(
      expect.arrayContaining([
        { apiKey: 8, minVersion: 0, maxVersion: 9 }, // OffsetCommit
        { apiKey: 9, minVersion: 0, maxVersion: 9 }, // OffsetFetch
        { apiKey: 10, minVersion: 0, maxVersion: 6 }, // FindCoordinator
        { apiKey: 11, minVersion: 0, maxVersion: 9 }, // JoinGroup
        { apiKey: 12, minVersion: 0, maxVersion: 4 }, // Heartbeat
        { apiKey: 13, minVersion: 0, maxVersion: 5 }, // LeaveGroup
        { apiKey: 14, minVersion: 0, maxVersion: 5 }, // SyncGroup
        { apiKey: 15, minVersion: 0, maxVersion: 5 }, // DescribeGroups
        { apiKey: 16, minVersion: 0, maxVersion: 5 }, // ListGroups
        { apiKey: 42, minVersion: 0, maxVersion: 2 }, // DeleteGroups
        { apiKey: 47, minVersion: 0, maxVersion: 0 }, // OffsetDelete
      ]),
    )
  })
})

describe('DescribeGroups and ListGroups', () => {
  it('describe groups by Kafka’s state names and list them with state and type filters', async () => {
    const { t, client } = await setup()
    t.broker.logs.createTopic('described', { partitions: 2 })
    const m = await stableMember(t.broker.port, 'described-group', ['described'], 'desc-1')
    await commitSimple(client, 'offsets-only', 'described', [0])

    const res = await client.request(DescribeGroupsApi, 5, { groups: ['described-group', 'offsets-only', 'unknown-group'], includeAuthorizedOperations: true })
    const [stable, simple, unknown] = res.groups
    expect(stable).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(stable!.members).toHaveLength(1)
    expect(stable!.members[0]).toMatchObject({ memberId: m.memberId, groupInstanceId: 'desc-1', clientId: 'raw-member', clientHost: '/127.0.0.1' })
    expect(Buffer.compare(stable!.members[0]!.memberMetadata, subscriptionBytes(['described']))).toBe(0)
    expect(assignedPartitions(stable!.members[0]!.memberAssignment)).toEqual(['described-0'])
    // READ, DELETE and DESCRIBE: every group operation, there being no ACLs.
    expect(stable!.authorizedOperations).toBe((1 << 3) | (1 << 6) | (1 << 8))
    expect(simple).toMatchObject({ errorCode: 0, groupState: 'Empty', protocolType: '', members: [] })
    expect(unknown).toMatchObject({ errorCode: 0, groupState: 'Dead', protocolType: '', protocolData: '', members: [] })

    const v0 = await client.request(DescribeGroupsApi, 0, { groups: ['described-group'] })
    expect(v0.groups[0]!.groupState).toBe('Stable')

    const all = await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })
    expect(all.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]).sort()).toEqual([
      ['described-group', 'consumer', 'Stable', 'classic'],
      ['offsets-only', '', 'Empty', 'classic'],
    ])
    const stableOnly = await client.request(ListGroupsApi, 4, { statesFilter: ['stable'] })
    expect(stableOnly.groups.map((g) => g.groupId)).toEqual(['described-group'])
    expect((await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups).toEqual([])
    expect((await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Classic'] })).groups).toHaveLength(2)
    const v0List = await client.request(ListGroupsApi, 0, {})
    expect(v0List.groups.map((g) => g.groupId).sort()).toEqual(['described-group', 'offsets-only'])
  })
})

describe('DeleteGroups and OffsetDelete', () => {
  it('deletes empty groups with their offsets, refuses groups with members and unknown ones', async () => {
    const { t, client } = await setup()
    t.broker.logs.createTopic('doomed', { partitions: 1 })
    await stableMember(t.broker.port, 'busy', ['doomed'])
    await commitSimple(client, 'idle', 'doomed', [0])

    const res = await client.request(DeleteGroupsApi, 2, { groupsNames: ['busy', 'idle', 'ghost'] })
    expect(res.results).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: ErrorCode.NONE },
      { groupId: 'ghost', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ])
    const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'idle', topics: null })
    expect(fetched.topics).toEqual([])
    expect((await client.request(DescribeGroupsApi, 1, { groups: ['idle'] })).groups[0]!.groupState).toBe('Dead')
    expect((await client.request(DeleteGroupsApi, 0, { groupsNames: ['idle'] })).results[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND)
  })

  it('deletes offsets of topics the group does not consume, refusing subscribed ones (KIP-496)', async () => {
    const { t, client } = await setup()
    t.broker.logs.createTopic('consumed', { partitions: 2 })
    t.broker.logs.createTopic('abandoned', { partitions: 2 })
    const m = await stableMember(t.broker.port, 'od-group', ['consumed'])
    const commit = await client.request(OffsetCommitApi, 8, {
      groupId: 'od-group',
      generationIdOrMemberEpoch: m.generationId,
      memberId: m.memberId,
      topics: [
        { name: 'consumed', partitions: [{ partitionIndex: 0, committedOffset: 1n }] },
        { name: 'abandoned', partitions: [{ partitionIndex: 0, committedOffset: 2n }, { partitionIndex: 1, committedOffset: 3n }] },
      ],
    })
    expect(commit.topics.flatMap((x) => x.partitions.map((p) => p.errorCode))).toEqual([0, 0, 0])

    const res = await client.request(OffsetDeleteApi, 0, {
      groupId: 'od-group',
      topics: [
        { name: 'consumed', partitions: [{ partitionIndex: 0 }] },
        { name: 'abandoned', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
      ],
    })
    expect(res.errorCode).toBe(0)
    expect(res.topics.map((x) => [x.name, x.partitions.map((p) => p.errorCode)])).toEqual([
      ['consumed', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
      ['abandoned', [0, 0]],
      ['no-such-topic', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ])
    const left = await client.request(OffsetFetchApi, 6, { groupId: 'od-group', topics: null })
    expect(left.topics.map((x) => x.name)).toEqual(['consumed'])

    expect((await client.request(OffsetDeleteApi, 0, { groupId: 'ghost', topics: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND)

    // Once empty, any offset may go, and the group goes with its last offset.
    expect(await m.leave()).toBe(0)
    await waitFor(async () => (await client.request(DescribeGroupsApi, 1, { groups: ['od-group'] })).groups[0]!.groupState === 'Empty')
    const emptied = await client.request(OffsetDeleteApi, 0, { groupId: 'od-group', topics: [{ name: 'consumed', partitions: [{ partitionIndex: 0 }] }] })
    expect(emptied.topics[0]!.partitions[0]!.errorCode).toBe(0)
    expect((await client.request(DescribeGroupsApi, 1, { groups: ['od-group'] })).groups[0]!.groupState).toBe('Dead')
  })

  it('answers NON_EMPTY_GROUP to OffsetDelete on a non-consumer group with members', async () => {
    const { t, client } = await setup()
    t.broker.logs.createTopic('connect-topic', { partitions: 1 })
    const m = await RawMember.connect(t.broker.port, { groupId: 'connect-group', protocolType: 'connect', protocols: [{ name: 'default', metadata: Buffer.from('worker') }] })
    cleanups.push(() => m.close())
    await m.join(5)
    await m.sync()
    const res = await client.request(OffsetDeleteApi, 0, { groupId: 'connect-group', topics: [{ name: 'connect-topic', partitions: [{ partitionIndex: 0 }] }] })
    expect(res).toMatchObject({ errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] })
  })
})

describe('persistence in __consumer_offsets', () => {
  it('brings groups and offsets back after a restart: the stable generation, its members and assignments', async () => {
    const dir = tempDir('tributary-groups-persist-')
    cleanups.push(() => dir.remove())
    const first = await startTestBroker({ dataDir: dir.path, configs: CONFIGS })
    first.broker.logs.createTopic('kept', { partitions: 2 })
    const client1 = await RawClient.connect(first.broker.port)
    const m = await RawMember.connect(first.broker.port, { groupId: 'kept-group', groupInstanceId: 'kept-1', sessionTimeoutMs: 30_000, protocols: [{ name: 'range', metadata: subscriptionBytes(['kept']) }] })
    await m.join(5)
    await m.sync([{ memberId: m.memberId, assignment: assignmentBytes('kept', [0, 1]) }])
    await client1.request(OffsetCommitApi, 8, { groupId: 'kept-group', generationIdOrMemberEpoch: 1, memberId: m.memberId, groupInstanceId: 'kept-1', topics: [{ name: 'kept', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedMetadata: 'kept-meta' }] }] })
    await commitSimple(client1, 'gone-group', 'kept', [0])
    expect((await client1.request(DeleteGroupsApi, 2, { groupsNames: ['gone-group'] })).results[0]!.errorCode).toBe(0)
    await m.close()
    await client1.close()
    await first.broker.close()

    const { t, client } = await setup({ dataDir: dir.path })
    expect(t.log.matching(/loaded 1 group\(s\) and the offsets of 1 group\(s\)/)).toHaveLength(1)
    const described = (await client.request(DescribeGroupsApi, 5, { groups: ['kept-group', 'gone-group'] })).groups
    expect(described[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described[0]!.members.map((x) => [x.memberId, x.groupInstanceId, assignedPartitions(x.memberAssignment)])).toEqual([[m.memberId, 'kept-1', ['kept-0', 'kept-1']]])
    expect(described[1]!.groupState).toBe('Dead')
    // The member carries on where it was: same id, same generation.
    expect((await client.request(HeartbeatApi, 3, { groupId: 'kept-group', generationId: 1, memberId: m.memberId, groupInstanceId: 'kept-1' })).errorCode).toBe(0)
    const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'kept-group', topics: null })
    expect(fetched.topics).toEqual([{ name: 'kept', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, metadata: 'kept-meta', errorCode: 0 }] }])
  })
})

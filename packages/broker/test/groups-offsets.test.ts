import { DeleteTopicsApi, ErrorCode, FindCoordinatorApi, ListGroupsApi, OffsetCommitApi, OffsetFetchApi } from '@tributary/protocol'
import { RawClient, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assignmentBytes, subscriptionBytes } from './groups-helpers.js'
import { RawMember } from './groups-raw-member.js'

let t: TestBroker
let client: RawClient
const members: RawMember[] = []

beforeAll(async () => {
  t = await startTestBroker({
    configs: { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '100', 'offsets.retention.check.interval.ms': '100', 'offset.metadata.max.bytes': '16' },
  })
  client = await RawClient.connect(t.broker.port)
  t.broker.logs.createTopic('alpha', { partitions: 3 })
  t.broker.logs.createTopic('beta', { partitions: 2 })
})
afterAll(async () => {
  await client.close()
  await t.broker.close()
})
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()))
})

type Commit = { topic: string; partition: number; offset: bigint; metadata?: string | null; leaderEpoch?: number }

function commit(version: number, groupId: string, offsets: Commit[], extra: { generationIdOrMemberEpoch?: number; memberId?: string; groupInstanceId?: string | null; retentionTimeMs?: bigint } = {}) {
  const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
    name,
    partitions: offsets
      .filter((o) => o.topic === name)
      .map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1, committedMetadata: o.metadata === undefined ? 'm' : o.metadata })),
  }))
  return client.request(OffsetCommitApi, version, { groupId, generationIdOrMemberEpoch: -1, memberId: '', topics, ...extra })
}

const errors = (res: { topics: { partitions: { errorCode: number }[] }[] }) => res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))

describe('OffsetCommit and OffsetFetch', () => {
  it('round-trips committed offsets for listed partitions and for all topics', async () => {
    const res = await commit(8, 'simple-1', [
      { topic: 'alpha', partition: 0, offset: 10n, leaderEpoch: 3, metadata: 'first' },
      { topic: 'alpha', partition: 2, offset: 12n, metadata: null },
      { topic: 'beta', partition: 1, offset: 7n },
    ])
    expect(errors(res)).toEqual([0, 0, 0])

    const listed = await client.request(OffsetFetchApi, 6, { groupId: 'simple-1', topics: [{ name: 'alpha', partitionIndexes: [0, 1, 2] }], requireStable: false })
    expect(listed.errorCode).toBe(ErrorCode.NONE)
    expect(listed.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: 3, metadata: 'first', errorCode: 0 },
      // Nothing committed: offset -1, metadata "".
      { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      // A null metadata is kept as "", as Kafka does.
      { partitionIndex: 2, committedOffset: 12n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ])

    const all = await client.request(OffsetFetchApi, 7, { groupId: 'simple-1', topics: null, requireStable: true })
    const flat = all.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`)).sort()
    expect(flat).toEqual(['alpha-0@10', 'alpha-2@12', 'beta-1@7'])

    // v8+: several groups in one request, each answered on its own.
    const multi = await client.request(OffsetFetchApi, 8, {
      groups: [
        { groupId: 'simple-1', topics: [{ name: 'beta', partitionIndexes: [1] }] },
        { groupId: 'never-committed', topics: null },
      ],
      requireStable: false,
    })
    expect(multi.groups.map((g) => g.groupId)).toEqual(['simple-1', 'never-committed'])
    expect(multi.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(7n)
    expect(multi.groups[1]).toMatchObject({ errorCode: 0, topics: [] })

    // v1 (no leader epoch) reads the same.
    const v1 = await client.request(OffsetFetchApi, 1, { groupId: 'simple-1', topics: [{ name: 'alpha', partitionIndexes: [0] }] })
    expect(v1.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 10n, metadata: 'first', errorCode: 0 })

    // A later commit replaces the offset; v0 commits (no generation) work too.
    expect(errors(await commit(0, 'simple-1', [{ topic: 'alpha', partition: 0, offset: 20n }]))).toEqual([0])
    const after = await client.request(OffsetFetchApi, 5, { groupId: 'simple-1', topics: [{ name: 'alpha', partitionIndexes: [0] }] })
    expect(after.topics[0]!.partitions[0]!.committedOffset).toBe(20n)
  })

  it('answers per-partition errors for unknown partitions and oversized metadata, committing the rest', async () => {
    const res = await commit(8, 'simple-2', [
      { topic: 'alpha', partition: 0, offset: 1n },
      { topic: 'alpha', partition: 9, offset: 1n },
      { topic: 'no-such-topic', partition: 0, offset: 1n },
      { topic: 'beta', partition: 0, offset: 1n, metadata: 'x'.repeat(17) },
    ])
    expect(errors(res)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OFFSET_METADATA_TOO_LARGE])
    const all = await client.request(OffsetFetchApi, 6, { groupId: 'simple-2', topics: null })
    expect(all.topics.map((t) => t.name)).toEqual(['alpha'])
  })

  it('checks the generation and member of commits to a managed group', async () => {
    const groupId = 'managed-commits'
    const m = await RawMember.connect(t.broker.port, { groupId, groupInstanceId: 'committer', protocols: [{ name: 'range', metadata: subscriptionBytes(['alpha']) }] })
    members.push(m)
    await m.join(5)
    const tp = [{ topic: 'alpha', partition: 0, offset: 5n }]
    // Before the leader's SyncGroup the group is CompletingRebalance.
    expect(errors(await commit(7, groupId, tp, { generationIdOrMemberEpoch: 1, memberId: m.memberId, groupInstanceId: 'committer' }))).toEqual([ErrorCode.REBALANCE_IN_PROGRESS])
    await m.sync([{ memberId: m.memberId, assignment: assignmentBytes('alpha', [0]) }])
    expect(errors(await commit(7, groupId, tp, { generationIdOrMemberEpoch: 1, memberId: m.memberId, groupInstanceId: 'committer' }))).toEqual([ErrorCode.NONE])
    expect(errors(await commit(7, groupId, tp, { generationIdOrMemberEpoch: 2, memberId: m.memberId, groupInstanceId: 'committer' }))).toEqual([ErrorCode.ILLEGAL_GENERATION])
    expect(errors(await commit(7, groupId, tp, { generationIdOrMemberEpoch: 1, memberId: 'stranger' }))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    expect(errors(await commit(7, groupId, tp, { generationIdOrMemberEpoch: 1, memberId: 'old-id', groupInstanceId: 'committer' }))).toEqual([ErrorCode.FENCED_INSTANCE_ID])
    // Anonymous commits are for groups without members.
    expect(errors(await commit(7, groupId, tp))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    // A generation for a group that does not exist is from an older life of it.
    expect(errors(await commit(7, 'no-such-group', tp, { generationIdOrMemberEpoch: 3, memberId: 'x' }))).toEqual([ErrorCode.ILLEGAL_GENERATION])
  })

  it('expires the offsets of a group without members, then forgets the group', async () => {
    // OffsetCommit v2-v4 may set a retention time per commit; 150 ms here, checked every 100 ms.
    expect(errors(await commit(2, 'short-lived', [{ topic: 'beta', partition: 0, offset: 3n }], { retentionTimeMs: 150n }))).toEqual([0])
    expect(errors(await commit(2, 'long-lived', [{ topic: 'beta', partition: 0, offset: 4n }]))).toEqual([0])
    const listed = async () => (await client.request(ListGroupsApi, 4, { statesFilter: [] })).groups.map((g) => g.groupId)
    expect(await listed()).toContain('short-lived')
    await waitFor(async () => !(await listed()).includes('short-lived'), { timeoutMs: 5_000, message: 'the short-lived group to be removed' })
    const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'short-lived', topics: [{ name: 'beta', partitionIndexes: [0] }] })
    expect(fetched.topics[0]!.partitions[0]!.committedOffset).toBe(-1n)
    expect(t.log.matching('committed offset(s) expired').length).toBeGreaterThan(0)
    // The default retention (a week) keeps the other one.
    expect(await listed()).toContain('long-lived')
  })
})

describe('deleted topics', () => {
  it('take their committed offsets with them, so a topic created again starts fresh', async () => {
    t.broker.logs.createTopic('ephemeral', { partitions: 1 })
    expect(errors(await commit(8, 'ephemeral-reader', [{ topic: 'ephemeral', partition: 0, offset: 99n }, { topic: 'beta', partition: 1, offset: 1n }]))).toEqual([0, 0])
    expect(errors(await commit(8, 'ephemeral-only', [{ topic: 'ephemeral', partition: 0, offset: 5n }]))).toEqual([0])
    const deleted = await client.request(DeleteTopicsApi, 4, { topicNames: ['ephemeral'], timeoutMs: 1000 })
    expect(deleted.responses[0]!.errorCode).toBe(0)
    const left = await client.request(OffsetFetchApi, 6, { groupId: 'ephemeral-reader', topics: null })
    expect(left.topics.map((x) => x.name)).toEqual(['beta'])
    // A group that had only those offsets is gone.
    const groups = (await client.request(ListGroupsApi, 4, { statesFilter: [] })).groups.map((g) => g.groupId)
    expect(groups).toContain('ephemeral-reader')
    expect(groups).not.toContain('ephemeral-only')
  })
})

describe('FindCoordinator', () => {
  it('answers this broker for groups and transactions, creating the compacted internal topics', async () => {
    const { port } = t.broker
    const v0 = await client.request(FindCoordinatorApi, 0, { key: 'any-group' })
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 0, host: '127.0.0.1', port })
    const offsets = t.broker.logs.topic('__consumer_offsets')!
    expect(offsets).toMatchObject({ partitions: 50, isInternal: true, configs: { 'cleanup.policy': 'compact' } })
    expect(t.broker.logs.topic('__transaction_state')).toBeUndefined()

    const v3 = await client.request(FindCoordinatorApi, 3, { key: 'my-transactional-id', keyType: 1 })
    expect(v3).toMatchObject({ errorCode: 0, errorMessage: null, nodeId: 0, port })
    expect(t.broker.logs.topic('__transaction_state')).toMatchObject({ partitions: 50, configs: { 'cleanup.policy': 'compact' } })

    const batched = await client.request(FindCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] })
    expect(batched.coordinators).toEqual([
      { key: 'g1', nodeId: 0, host: '127.0.0.1', port, errorCode: 0, errorMessage: null },
      { key: 'g2', nodeId: 0, host: '127.0.0.1', port, errorCode: 0, errorMessage: null },
    ])
    const badType = await client.request(FindCoordinatorApi, 6, { keyType: 7, coordinatorKeys: ['x'] })
    expect(badType.coordinators[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })
})

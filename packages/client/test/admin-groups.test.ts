import {
  DeleteGroupsApi,
  DescribeGroupsApi,
  ErrorCode,
  FindCoordinatorApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
  errorForCode,
} from '@tributary/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '../src/admin/admin.js'
import { KafkaAggregateError } from '../src/errors/aggregate-error.js'
import { clientOptions, produceRaw, recordRequests, startTestBroker, advertisedVersions, type Broker } from './helpers/broker.js'
import { randomGroup, randomTopic } from './helpers/random.js'

/**
 * Group administration. The group APIs are served by the broker's group coordinator; until the broker
 * advertises them (asked through ApiVersions when the tests run), these tests skip themselves.
 */
let broker: Broker
let admin: Admin
let groupApisServed = false

beforeAll(async () => {
  broker = await startTestBroker()
  admin = new Admin(clientOptions(broker))
  const versions = await advertisedVersions(broker)
  groupApisServed = [FindCoordinatorApi, OffsetCommitApi, OffsetFetchApi, ListGroupsApi, DescribeGroupsApi, DeleteGroupsApi].every((api) => versions.supports(api))
})
afterAll(async () => {
  await admin.close()
  await broker.close()
})

/** Commits offsets for a group without members (a "simple" commit, as tools that reset offsets do). */
async function commit(groupId: string, topic: string, offsets: Record<number, bigint>): Promise<void> {
  await admin.cluster.retry(
    async () => {
      const conn = await admin.cluster.coordinatorConnection('group', groupId)
      const response = await conn.request(OffsetCommitApi, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [{ name: topic, partitions: Object.entries(offsets).map(([p, o]) => ({ partitionIndex: Number(p), committedOffset: o, committedMetadata: 'test' })) }],
      })
      for (const p of response.topics[0]!.partitions) {
        const error = errorForCode(p.errorCode, `${topic}-${p.partitionIndex}`)
        if (error) throw error
      }
    },
    { coordinator: { type: 'group', key: groupId } },
  )
}

describe('Admin groups', () => {
  it('lists, describes, reads offsets and lag of, and deletes a group', async (ctx) => {
    if (!groupApisServed) ctx.skip()
    const topic = randomTopic()
    const groupId = randomGroup()
    await admin.createTopics([{ name: topic, partitions: 2 }])
    await produceRaw(admin.cluster, topic, 0, ['a', 'b', 'c', 'd'])
    await produceRaw(admin.cluster, topic, 1, ['e', 'f'])
    await commit(groupId, topic, { 0: 1n, 1: 2n })

    const listed = await admin.listGroups()
    expect(listed.find((g) => g.groupId === groupId)).toMatchObject({ groupId, coordinator: broker.nodeId })

    const [described] = await admin.describeGroups([groupId])
    expect(described).toMatchObject({ groupId, state: 'Empty', members: [] })
    expect(described!.coordinator.nodeId).toBe(broker.nodeId)

    const offsets = await admin.fetchGroupOffsets(groupId)
    expect(offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata])).toEqual([
      [topic, 0, 1n, 'test'],
      [topic, 1, 2n, 'test'],
    ])
    const onlyTopic = await admin.fetchGroupOffsets(groupId, { topics: [topic] })
    expect(onlyTopic.map((o) => o.offset)).toEqual([1n, 2n])

    const lag = await admin.groupLag(groupId)
    expect(lag.map((l) => [l.partition, l.committedOffset, l.endOffset, l.lag])).toEqual([
      [0, 1n, 4n, 3n],
      [1, 2n, 2n, 0n],
    ])

    await admin.deleteGroups([groupId])
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain(groupId)
  })

  it('reports a group that cannot be deleted, keyed by its path', async (ctx) => {
    if (!groupApisServed) ctx.skip()
    const missing = randomGroup('missing')
    const err = await admin.deleteGroups([missing]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KafkaAggregateError)
    expect([...(err as KafkaAggregateError).errors.keys()]).toEqual([`/groups/${missing}`])
    expect((err as KafkaAggregateError).code).toBe('GROUP_ID_NOT_FOUND')
  })

  it('looks the coordinator up again after NOT_COORDINATOR', async (ctx) => {
    if (!groupApisServed) ctx.skip()
    const groupId = randomGroup()
    const topic = randomTopic()
    await admin.createTopics([{ name: topic }])
    await commit(groupId, topic, { 0: 0n })
    const r = recordRequests(broker)
    let injected = false
    const stop = broker.intercept((req) => {
      if (req.apiName === 'DescribeGroups' && !injected) {
        injected = true
        return { errorCode: ErrorCode.NOT_COORDINATOR }
      }
    })
    try {
      const [g] = await admin.describeGroups([groupId])
      expect(g!.groupId).toBe(groupId)
      const names = r.seen.map((s) => s.apiName)
      expect(names.slice(names.indexOf('DescribeGroups'))).toEqual(['DescribeGroups', 'FindCoordinator', 'DescribeGroups'])
    } finally {
      stop()
      r.stop()
    }
  })
})

import {
  API_DEFINITIONS,
  ConsumerProtocolAssignmentCodec,
  DeleteGroupsApi,
  DescribeGroupsApi,
  FindCoordinatorApi,
  ListGroupsApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetFetchApi,
  Writer,
  type FindCoordinatorRequest,
  type OffsetFetchRequest,
} from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { startFrameServer, type FrameServer } from '../../test/helpers/frame-server.js'
import { silentLogger } from '../options/logger.js'
import { Admin } from './admin.js'

/**
 * Group administration against a scripted one-broker cluster (a real TCP server written here), so the
 * request shapes and response handling are checked independently of any broker's group coordinator.
 */
let server: FrameServer | undefined
let admin: Admin | undefined
afterEach(async () => {
  await admin?.close()
  await server?.close()
  admin = server = undefined
})

function assignment(topic: string, partitions: number[]): Buffer {
  const w = new Writer()
  w.int16(0)
  ConsumerProtocolAssignmentCodec.encode(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null })
  return w.toBuffer()
}

async function scriptedCluster(findCoordinatorMax: number) {
  const versions = API_DEFINITIONS.filter((a) => a !== undefined).map((a) => ({
    apiKey: a.apiKey,
    minVersion: a.minVersion,
    maxVersion: a.apiKey === FindCoordinatorApi.apiKey ? findCoordinatorMax : a.maxVersion,
  }))
  const node = () => ({ nodeId: 1, host: '127.0.0.1', port: server!.port })
  server = await startFrameServer(
    (req, reply) => {
      switch (req.apiKey) {
        case MetadataApi.apiKey:
          return reply.send(MetadataApi, { brokers: [node()], controllerId: 1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, leaderId: 1 }, { partitionIndex: 1, leaderId: 1 }] }] })
        case FindCoordinatorApi.apiKey: {
          const body = reply.body as FindCoordinatorRequest
          if (req.apiVersion >= 4) return reply.send(FindCoordinatorApi, { coordinators: body.coordinatorKeys.map((key) => ({ key, ...node() })) })
          return reply.send(FindCoordinatorApi, node())
        }
        case ListGroupsApi.apiKey:
          return reply.send(ListGroupsApi, { groups: [{ groupId: 'billing', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }] })
        case DescribeGroupsApi.apiKey:
          return reply.send(DescribeGroupsApi, {
            groups: [
              {
                groupId: 'billing',
                groupState: 'Stable',
                protocolType: 'consumer',
                protocolData: 'range',
                members: [{ memberId: 'm-1', clientId: 'app', clientHost: '/10.0.0.1', memberAssignment: assignment('orders', [0, 1]) }],
              },
              { groupId: 'audit', groupState: 'Dead', protocolType: '', protocolData: '' },
            ],
          })
        case OffsetFetchApi.apiKey: {
          const body = reply.body as OffsetFetchRequest
          const partitions = [
            { partitionIndex: 0, committedOffset: 5n, metadata: '' },
            { partitionIndex: 1, committedOffset: 9n, metadata: '' },
          ]
          if (req.apiVersion >= 8) return reply.send(OffsetFetchApi, { groups: [{ groupId: body.groups[0]!.groupId, topics: [{ name: 'orders', partitions }] }] })
          return reply.send(OffsetFetchApi, { topics: [{ name: 'orders', partitions }] })
        }
        case ListOffsetsApi.apiKey:
          return reply.send(ListOffsetsApi, { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 12n }, { partitionIndex: 1, offset: 9n }] }] })
        case DeleteGroupsApi.apiKey:
          return reply.send(DeleteGroupsApi, { results: [{ groupId: 'billing', errorCode: 68 }, { groupId: 'audit', errorCode: 0 }] })
      }
    },
    { versions },
  )
  admin = new Admin({ bootstrapServers: `127.0.0.1:${server.port}`, logger: silentLogger, retryBackoffMs: 10 })
  return admin
}

describe('Admin group calls', () => {
  for (const [label, max] of [
    ['batched FindCoordinator (v4+)', FindCoordinatorApi.maxVersion],
    ['single-key FindCoordinator (before v4)', 3],
  ] as const) {
    it(`describe groups and decode consumer assignments, with ${label}`, async () => {
      const a = await scriptedCluster(max)
      const [billing, audit] = await a.describeGroups(['billing', 'audit'])
      expect(billing).toMatchObject({ groupId: 'billing', state: 'Stable', protocol: 'range', coordinator: { nodeId: 1 } })
      expect(billing!.members[0]).toMatchObject({ memberId: 'm-1', clientId: 'app', assignment: [{ topic: 'orders', partitions: [0, 1] }] })
      expect(audit).toMatchObject({ groupId: 'audit', state: 'Dead', members: [] })
      const lookups = server!.requests.filter((r) => r.apiKey === FindCoordinatorApi.apiKey)
      expect(lookups.map((r) => r.apiVersion)).toEqual(max >= 4 ? [max] : [max, max])
    })
  }

  it('list groups from every broker', async () => {
    const a = await scriptedCluster(FindCoordinatorApi.maxVersion)
    expect(await a.listGroups()).toEqual([{ groupId: 'billing', protocolType: 'consumer', state: 'Stable', type: 'classic', coordinator: 1 }])
  })

  it('fetch committed offsets and compute lag against end offsets', async () => {
    const a = await scriptedCluster(FindCoordinatorApi.maxVersion)
    expect((await a.fetchGroupOffsets('billing')).map((o) => [o.partition, o.offset])).toEqual([
      [0, 5n],
      [1, 9n],
    ])
    const fetch = server!.requests.find((r) => r.apiKey === OffsetFetchApi.apiKey)!
    expect(fetch.apiVersion).toBe(OffsetFetchApi.maxVersion)
    expect(await a.groupLag('billing')).toEqual([
      { topic: 'orders', partition: 0, committedOffset: 5n, endOffset: 12n, lag: 7n },
      { topic: 'orders', partition: 1, committedOffset: 9n, endOffset: 9n, lag: 0n },
    ])
  })

  it('report groups that could not be deleted by path, after deleting the others', async () => {
    const a = await scriptedCluster(FindCoordinatorApi.maxVersion)
    await expect(a.deleteGroups(['billing', 'audit'])).rejects.toMatchObject({ code: 'NON_EMPTY_GROUP', message: expect.stringContaining('/groups/billing: NON_EMPTY_GROUP') })
  })
})

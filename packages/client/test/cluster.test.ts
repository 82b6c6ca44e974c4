import { ApiVersionsApi, CreateTopicsApi, ErrorCode, KafkaProtocolError, ListOffsetsApi, MetadataApi } from '@tributary/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '../src/admin/admin.js'
import type { Cluster } from '../src/cluster/cluster.js'
import { clientOptions, recordRequests, startTestBroker, testCluster, type Broker } from './helpers/broker.js'
import { randomTopic } from './helpers/random.js'

let broker: Broker
let admin: Admin
let cluster: Cluster | undefined
const stops: (() => void)[] = []

beforeAll(async () => {
  broker = await startTestBroker()
  admin = new Admin(clientOptions(broker))
})
afterAll(async () => {
  await admin.close()
  await broker.close()
})
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
  cluster?.close()
  cluster = undefined
})

const record = () => {
  const r = recordRequests(broker)
  stops.push(r.stop)
  return r.seen
}

describe('version negotiation against the embedded broker', () => {
  it('sends ApiVersions first, then the highest common version of each API', async () => {
    const seen = record()
    cluster = testCluster(broker)
    const conn = await cluster.anyConnection()
    await conn.request(MetadataApi, { topics: [] })
    expect(seen[0]).toMatchObject({ apiName: 'ApiVersions', apiVersion: ApiVersionsApi.maxVersion })
    // Both sides implement Metadata 0-12, CreateTopics 0-7 and ListOffsets 0-10 (Kafka 3.9's ranges).
    expect(seen.find((r) => r.apiName === 'Metadata')?.apiVersion).toBe(12)
    expect(conn.versionFor(CreateTopicsApi)).toBe(7)
    expect(conn.versionFor(ListOffsetsApi)).toBe(10)
    const advertised = conn.versions.range(MetadataApi.apiKey)!
    expect(conn.versionFor(MetadataApi)).toBe(Math.min(advertised.maxVersion, MetadataApi.maxVersion))
  })
})

describe('cluster metadata', () => {
  it('knows the brokers, the controller and every partition leader with its epoch', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 3 }])
    cluster = testCluster(broker)
    const meta = await cluster.metadata([topic])
    expect([...meta.brokers.values()]).toEqual([{ nodeId: broker.nodeId, host: broker.host, port: broker.port, rack: null }])
    expect(meta.controllerId).toBe(broker.nodeId)
    expect(meta.clusterId).toBe(broker.clusterId)
    const t = meta.topics.get(topic)!
    expect(t.error).toBeNull()
    expect(t.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, broker.nodeId],
      [1, broker.nodeId],
      [2, broker.nodeId],
    ])
    const leader = await cluster.leaderFor(topic, 2)
    expect(leader.node.nodeId).toBe(broker.nodeId)
    expect(leader.leaderEpoch).toBeGreaterThanOrEqual(0)
  })

  it('serves metadata from the cache until it is stale, too old, or lacks a topic', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 1 }])
    cluster = testCluster(broker, { metadataMaxAgeMs: 300 })
    const seen = record()
    const metadataRequests = () => seen.filter((r) => r.apiName === 'Metadata').length
    await cluster.metadata([topic])
    await cluster.metadata([topic])
    await cluster.leaderFor(topic, 0)
    expect(metadataRequests()).toBe(1)
    cluster.handleError(new KafkaProtocolError(ErrorCode.NOT_LEADER_OR_FOLLOWER))
    await cluster.metadata([topic])
    expect(metadataRequests()).toBe(2)
    await new Promise((r) => setTimeout(r, 350))
    await cluster.metadata()
    expect(metadataRequests()).toBe(3)
    // Concurrent refreshes of the same topics share one request.
    await Promise.all([cluster.refreshMetadata([topic]), cluster.refreshMetadata([topic]), cluster.refreshMetadata([topic])])
    expect(metadataRequests()).toBe(4)
  })

  it('reports a topic that does not exist without creating it', async () => {
    cluster = testCluster(broker)
    const topic = randomTopic('missing')
    const meta = await cluster.metadata([topic])
    expect(meta.topics.get(topic)!.error?.code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    await expect(cluster.leaderFor(topic, 0)).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect(await admin.listTopics()).not.toContain(topic)
  })

  it('refreshes metadata after a lost connection', async () => {
    cluster = testCluster(broker)
    await cluster.metadata()
    const seen = record()
    const stop = broker.intercept((r) => (r.apiName === 'Metadata' && seen.filter((s) => s.apiName === 'Metadata').length === 1 ? { disconnect: true } : undefined))
    stops.push(stop)
    await expect(cluster.refreshMetadata([])).rejects.toMatchObject({ code: 'CONNECTION_ERROR', retriable: true })
    stop()
    await cluster.metadata()
    expect(seen.filter((r) => r.apiName === 'Metadata')).toHaveLength(2)
  })
})

import { DescribeClusterApi, ErrorCode, MetadataApi, ZERO_UUID } from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('Metadata and DescribeCluster', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ defaultPartitions: 3, nodeId: 7, advertisedHost: 'localhost' })
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  it('describes this broker as the whole cluster: advertised host, controller, cluster id', async () => {
    const res = await client.request(MetadataApi, 12, { topics: [] })
    expect(res.brokers).toEqual([{ nodeId: 7, host: 'localhost', port: t.broker.port, rack: null }])
    expect(res.controllerId).toBe(7)
    expect(res.clusterId).toBe(t.broker.clusterId)
    expect(t.broker.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(t.broker.bootstrapServers).toBe(`localhost:${t.broker.port}`)
  })

  it('lists every topic for a null list (v1+) and an empty list in v0, with one-broker partitions', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 2)
    const all = await client.request(MetadataApi, 12, { topics: null })
    const found = all.topics.find((x) => x.name === topic)!
    expect(found).toMatchObject({ errorCode: 0, isInternal: false, topicId: t.broker.logs.topic(topic)!.topicId })
    expect(found.partitions).toEqual([0, 1].map((partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 7, leaderEpoch: 0, replicaNodes: [7], isrNodes: [7], offlineReplicas: [] })))
    const v0 = await client.request(MetadataApi, 0, { topics: [] })
    expect(v0.topics.map((x) => x.name)).toContain(topic)
    const none = await client.request(MetadataApi, 1, { topics: [] })
    expect(none.topics).toEqual([])
  })

  it('auto-creates a listed unknown topic with the default partition count when allowed', async () => {
    const topic = randomTopic('auto')
    const res = await client.request(MetadataApi, 12, { topics: [{ name: topic }], allowAutoTopicCreation: true })
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: topic })
    expect(res.topics[0]!.partitions).toHaveLength(3)
    expect(t.broker.logs.topic(topic)?.partitions).toBe(3)
    // Versions before 4 cannot opt out, so they always allow it.
    const old = randomTopic('auto-v1')
    expect((await client.request(MetadataApi, 1, { topics: [{ name: old }] })).topics[0]!.errorCode).toBe(0)
    expect(t.broker.logs.topic(old)).toBeDefined()
  })

  it('does not create a topic the request does not allow, an internal topic, or an illegal name', async () => {
    const topic = randomTopic('no-auto')
    const res = await client.request(MetadataApi, 12, { topics: [{ name: topic }, { name: '__consumer_offsets' }, { name: 'bad name!' }], allowAutoTopicCreation: false })
    // As in Kafka, a name is only checked when the topic would be created.
    expect(res.topics.map((x) => x.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const allowed = await client.request(MetadataApi, 12, { topics: [{ name: '__consumer_offsets' }, { name: 'bad name!' }], allowAutoTopicCreation: true })
    expect(allowed.topics.map((x) => x.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_TOPIC_EXCEPTION])
    expect(t.broker.logs.topic(topic)).toBeUndefined()
    expect(t.broker.logs.topic('__consumer_offsets')).toBeUndefined()
  })

  it('finds topics by id (v10+) and answers UNKNOWN_TOPIC_ID for unknown ids', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const topicId = t.broker.logs.topic(topic)!.topicId
    const unknown = '6a1e6d5b-8a6e-4c43-9a0e-2b0f9a6c1d11'
    const res = await client.request(MetadataApi, 12, { topics: [{ topicId, name: null }, { topicId: unknown, name: null }] })
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: topic, topicId })
    expect(res.topics[1]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: unknown })
    const v10 = await client.request(MetadataApi, 10, { topics: [{ topicId: unknown, name: null }] })
    expect(v10.topics[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: '' })
    expect(res.topics[0]!.topicId).not.toBe(ZERO_UUID)
  })

  it('reports authorized operations when asked (v8+)', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const res = await client.request(MetadataApi, 10, { topics: [{ name: topic }], includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true })
    // READ(3) WRITE(4) CREATE(5) DELETE(6) ALTER(7) DESCRIBE(8) DESCRIBE_CONFIGS(10) ALTER_CONFIGS(11)
    expect(res.topics[0]!.topicAuthorizedOperations).toBe([3, 4, 5, 6, 7, 8, 10, 11].reduce((mask, op) => mask | (1 << op), 0))
    expect(res.clusterAuthorizedOperations & (1 << 8)).not.toBe(0)
    const plain = await client.request(MetadataApi, 10, { topics: [{ name: topic }] })
    expect(plain.topics[0]!.topicAuthorizedOperations).toBe(-2147483648)
  })

  it('DescribeCluster answers the same broker, cluster and controller; controllers endpoints are refused', async () => {
    for (const version of [0, 1]) {
      const res = await client.request(DescribeClusterApi, version, { includeClusterAuthorizedOperations: false })
      expect(res).toMatchObject({ errorCode: 0, clusterId: t.broker.clusterId, controllerId: 7, brokers: [{ brokerId: 7, host: 'localhost', port: t.broker.port, rack: null }] })
    }
    const controllers = await client.request(DescribeClusterApi, 1, { endpointType: 2 })
    expect(controllers.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE)
  })
})

import { CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, ErrorCode, MetadataApi, ZERO_UUID, type CreateTopicsRequestCreatableTopic, type Input } from '@tributary/protocol'
import { RawClient, createTopic, fetchPartition, produce, randomTopic, startTestBroker, textBatch, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('topic administration', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ defaultPartitions: 2, configs: { 'log.retention.ms': '3600000' } })
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  const create = async (topics: Input<CreateTopicsRequestCreatableTopic>[], version = 7, validateOnly = false) =>
    (await client.request(CreateTopicsApi, version, { topics, timeoutMs: 5000, validateOnly })).topics

  describe('CreateTopics', () => {
    it('creates with -1 defaults and configs, and v5+ answers partitions, replication and every config with its source', async () => {
      const name = randomTopic()
      const [res] = await create([{ name, numPartitions: -1, replicationFactor: -1, configs: [{ name: 'cleanup.policy', value: 'compact' }] }])
      expect(res).toMatchObject({ name, errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 })
      expect(res!.topicId).toBe(t.broker.logs.topic(name)!.topicId)
      const configs = Object.fromEntries(res!.configs!.map((c) => [c.name, c]))
      expect(configs['cleanup.policy']).toMatchObject({ value: 'compact', configSource: 1, readOnly: false, isSensitive: false })
      expect(configs['retention.ms']).toMatchObject({ value: '3600000', configSource: 4 })
      expect(configs['segment.bytes']).toMatchObject({ value: '1073741824', configSource: 5 })
      expect(t.broker.logs.topic(name)).toMatchObject({ partitions: 2, configs: { 'cleanup.policy': 'compact' } })
      expect(t.log.matching(`created topic ${name} with 2 partition(s) and cleanup.policy=compact (CreateTopics from client "testkit")`)).toHaveLength(1)
    })

    it('only validates with validateOnly', async () => {
      const name = randomTopic()
      const [res] = await create([{ name, numPartitions: 4, replicationFactor: 1 }], 7, true)
      expect(res).toMatchObject({ errorCode: 0, numPartitions: 4, topicId: ZERO_UUID })
      expect(t.broker.logs.topic(name)).toBeUndefined()
    })

    it('answers each error per topic, leaving the valid ones created', async () => {
      const existing = randomTopic()
      await createTopic(client, existing)
      const ok = randomTopic()
      const dup = randomTopic()
      const results = await create([
        { name: existing, numPartitions: 1, replicationFactor: 1 },
        { name: randomTopic(), numPartitions: 1, replicationFactor: 3 },
        { name: randomTopic(), numPartitions: 0, replicationFactor: 1 },
        { name: randomTopic(), numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: 'soon' }] },
        { name: randomTopic(), numPartitions: 1, replicationFactor: 1, configs: [{ name: 'no.such.config', value: '1' }] },
        { name: randomTopic(), numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: null }] },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
        { name: dup, numPartitions: 1, replicationFactor: 1 },
        { name: dup, numPartitions: 1, replicationFactor: 1 },
        { name: ok, numPartitions: 1, replicationFactor: 1 },
      ])
      expect(results.map((r) => r.errorCode)).toEqual([
        ErrorCode.TOPIC_ALREADY_EXISTS,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        ErrorCode.INVALID_PARTITIONS,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.NONE,
      ])
      expect(results[1]!.errorMessage).toMatch(/larger than available brokers: 1/)
      expect(results[0]!).toMatchObject({ numPartitions: -1, replicationFactor: -1, configs: null })
      expect(t.broker.logs.topic(ok)).toBeDefined()
      expect(t.broker.logs.topic(dup)).toBeUndefined()
    })

    it('accepts manual assignments to this broker only', async () => {
      const name = randomTopic()
      const [ok] = await create([{ name, numPartitions: -1, replicationFactor: -1, assignments: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, brokerIds: [0] })) }])
      expect(ok).toMatchObject({ errorCode: 0, numPartitions: 3 })
      const [elsewhere, gap, mixed] = await create([
        { name: randomTopic(), numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
        { name: randomTopic(), numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [0] }] },
        { name: randomTopic(), numPartitions: 1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] },
      ])
      expect([elsewhere!.errorCode, gap!.errorCode, mixed!.errorCode]).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REQUEST])
    })

    it('works at every version, v0 included', async () => {
      for (const version of [0, 1, 2, 3, 4, 5, 6, 7]) {
        const name = randomTopic(`v${version}`)
        const [res] = await create([{ name, numPartitions: 1, replicationFactor: 1 }], version)
        expect(res!.errorCode).toBe(0)
        expect(t.broker.logs.topic(name)).toBeDefined()
      }
    })
  })

  describe('DeleteTopics', () => {
    it('deletes by name (v0-5) and by id (v6), removing the data and waking fetches', async () => {
      const byName = randomTopic()
      const byId = randomTopic()
      await createTopic(client, byName)
      await createTopic(client, byId)
      await produce(client, byName, 0, textBatch([{ value: 'x' }]))
      const waiting = fetchPartition(await RawClient.connect(t.broker.port), byName, 0, 1, { maxWaitMs: 10_000 })
      const v5 = await client.request(DeleteTopicsApi, 5, { topicNames: [byName], timeoutMs: 1000 })
      expect(v5.responses).toEqual([{ name: byName, topicId: ZERO_UUID, errorCode: 0, errorMessage: null }])
      expect((await waiting).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const id = t.broker.logs.topic(byId)!.topicId
      const v6 = await client.request(DeleteTopicsApi, 6, { topics: [{ name: null, topicId: id }], timeoutMs: 1000 })
      expect(v6.responses[0]).toMatchObject({ name: byId, topicId: id, errorCode: 0 })
      expect(t.broker.logs.topic(byName)).toBeUndefined()
      expect(t.broker.logs.topic(byId)).toBeUndefined()
      expect(t.log.matching(`deleted topic ${byName} (DeleteTopics from client "testkit")`)).toHaveLength(1)
      const meta = await client.request(MetadataApi, 12, { topics: [{ name: byName }], allowAutoTopicCreation: false })
      expect(meta.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    })

    it('answers UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID and INVALID_REQUEST per topic', async () => {
      const v6 = await client.request(DeleteTopicsApi, 6, {
        topics: [
          { name: 'never-was', topicId: ZERO_UUID },
          { name: null, topicId: '11111111-2222-4333-8444-555555555555' },
          { name: 'both', topicId: '11111111-2222-4333-8444-555555555555' },
        ],
        timeoutMs: 1000,
      })
      expect(v6.responses.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.INVALID_REQUEST])
      const v0 = await client.request(DeleteTopicsApi, 0, { topicNames: ['never-was'], timeoutMs: 1000 })
      expect(v0.responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    })
  })

  describe('CreatePartitions', () => {
    it('raises the partition count; new partitions take produce at once', async () => {
      const name = randomTopic()
      await createTopic(client, name, 1)
      const res = await client.request(CreatePartitionsApi, 3, { topics: [{ name, count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false })
      expect(res.results).toEqual([{ name, errorCode: 0, errorMessage: null }])
      expect(t.broker.logs.topic(name)!.partitions).toBe(3)
      expect(await produce(client, name, 2, textBatch([{ value: 'new partition' }]))).toBe(0)
    })

    it('validates only, refuses a decrease, other brokers, unknown topics and repeats', async () => {
      const name = randomTopic()
      await createTopic(client, name, 2)
      const dup = randomTopic()
      await createTopic(client, dup, 1)
      const res = await client.request(CreatePartitionsApi, 1, {
        topics: [
          { name, count: 5, assignments: null },
          { name: randomTopic('missing'), count: 2, assignments: null },
          { name: dup, count: 2, assignments: null },
          { name: dup, count: 3, assignments: null },
        ],
        timeoutMs: 1000,
        validateOnly: true,
      })
      expect(res.results.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
      expect(t.broker.logs.topic(name)!.partitions).toBe(2)
      const bad = await client.request(CreatePartitionsApi, 3, {
        topics: [
          { name, count: 1, assignments: null },
          { name, count: 3, assignments: [{ brokerIds: [4] }] },
        ],
        timeoutMs: 1000,
      })
      expect(bad.results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
      const decrease = await client.request(CreatePartitionsApi, 3, { topics: [{ name, count: 1, assignments: null }], timeoutMs: 1000 })
      expect(decrease.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS })
      const elsewhere = await client.request(CreatePartitionsApi, 3, { topics: [{ name, count: 3, assignments: [{ brokerIds: [4] }] }], timeoutMs: 1000 })
      expect(elsewhere.results[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    })
  })
})

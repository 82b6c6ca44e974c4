import { AlterConfigsApi, DescribeConfigsApi, ErrorCode, IncrementalAlterConfigsApi, type DescribeConfigsResponse } from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const TOPIC = 2
const BROKER = 4
const SET = 0
const DELETE = 1
const APPEND = 2
const SUBTRACT = 3

describe('configs', () => {
  let t: TestBroker
  let client: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ configs: { 'log.segment.bytes': '1048576', 'log.retention.hours': '2' }, defaultPartitions: 1 })
    client = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await client.close()
    await t.broker.close()
  })

  const describeResource = (resourceType: number, resourceName: string, o: { keys?: string[] | null; synonyms?: boolean; documentation?: boolean; version?: number } = {}) =>
    client.request(DescribeConfigsApi, o.version ?? 4, {
      resources: [{ resourceType, resourceName, configurationKeys: o.keys ?? null }],
      includeSynonyms: o.synonyms ?? false,
      includeDocumentation: o.documentation ?? false,
    })
  const byName = (res: DescribeConfigsResponse) => Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]))
  const incremental = (resourceType: number, resourceName: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
    client.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly })

  it('describes a topic: overrides, static broker defaults and Kafka defaults, each with its source', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'retention.ms': '60000' })
    const res = await describeResource(TOPIC, topic, { synonyms: true, documentation: true })
    expect(res.results[0]).toMatchObject({ errorCode: 0, resourceType: TOPIC, resourceName: topic })
    const c = byName(res)
    expect(c['retention.ms']).toMatchObject({ value: '60000', configSource: 1, readOnly: false, configType: 5 })
    expect(c['retention.ms']!.synonyms).toEqual([
      { name: 'retention.ms', value: '60000', source: 1 },
      { name: 'log.retention.ms', value: '7200000', source: 4 },
      { name: 'log.retention.ms', value: '604800000', source: 5 },
    ])
    expect(c['segment.bytes']).toMatchObject({ value: '1048576', configSource: 4, configType: 3 })
    expect(c['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5, configType: 7 })
    expect(c['cleanup.policy']!.documentation).toMatch(/retention/)
    const plain = byName(await describeResource(TOPIC, topic))
    expect(plain['cleanup.policy']).toMatchObject({ synonyms: [], documentation: null })
  })

  it('filters by key, answers isDefault in v0, and UNKNOWN_TOPIC_OR_PARTITION for unknown topics', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'retention.ms': '60000' })
    const filtered = await describeResource(TOPIC, topic, { keys: ['retention.ms', 'cleanup.policy', 'nonsense'] })
    expect(filtered.results[0]!.configs.map((c) => c.name)).toEqual(['cleanup.policy', 'retention.ms'])
    const v0 = byName(await describeResource(TOPIC, topic, { version: 0 }))
    expect(v0['retention.ms']!.isDefault).toBe(false)
    expect(v0['cleanup.policy']!.isDefault).toBe(true)
    expect((await describeResource(TOPIC, 'missing-topic')).results[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect((await describeResource(16, 'x')).results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('describes the broker: topic defaults under broker names and read-only start-up settings', async () => {
    const c = byName(await describeResource(BROKER, '0'))
    expect(c['log.segment.bytes']).toMatchObject({ value: '1048576', configSource: 4, readOnly: false })
    expect(c['log.retention.ms']).toMatchObject({ value: '7200000', configSource: 4 })
    expect(c['log.roll.ms']).toMatchObject({ value: '604800000', configSource: 5 })
    expect(c['message.max.bytes']).toMatchObject({ value: '1048588', configSource: 5 })
    expect(c['num.partitions']).toMatchObject({ value: '1', configSource: 4, readOnly: true })
    expect(c['auto.create.topics.enable']).toMatchObject({ value: 'true', configSource: 5, readOnly: true })
    expect(c['node.id']).toMatchObject({ value: '0', readOnly: true })
    expect((await describeResource(BROKER, '5')).results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a topic; validateOnly changes nothing', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'retention.ms': '60000' })
    const ok = await incremental(TOPIC, topic, [
      { name: 'segment.ms', configOperation: SET, value: '3600000' },
      { name: 'retention.ms', configOperation: DELETE, value: null },
      { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' },
    ])
    expect(ok.responses[0]).toMatchObject({ errorCode: 0, resourceType: TOPIC, resourceName: topic })
    expect(t.broker.logs.topic(topic)!.configs).toEqual({ 'segment.ms': '3600000', 'cleanup.policy': 'delete,compact' })
    expect(t.broker.logs.topicConfig(topic).cleanupPolicy).toEqual({ delete: true, compact: true })
    await incremental(TOPIC, topic, [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])
    expect(t.broker.logs.topic(topic)!.configs['cleanup.policy']).toBe('compact')
    await incremental(TOPIC, topic, [{ name: 'segment.ms', configOperation: SET, value: '1' }], true)
    expect(t.broker.logs.topic(topic)!.configs['segment.ms']).toBe('3600000')
    expect(t.log.matching(`changed configs of topic ${topic}: segment.ms=3600000, -retention.ms, cleanup.policy append compact`)).toHaveLength(1)
  })

  it('IncrementalAlterConfigs refuses bad values, unknown names, unknown operations, repeats and unknown topics', async () => {
    const topic = randomTopic()
    await createTopic(client, topic)
    const codes = async (configs: { name: string; configOperation: number; value: string | null }[], name = topic) => (await incremental(TOPIC, name, configs)).responses[0]!.errorCode
    expect(await codes([{ name: 'retention.ms', configOperation: SET, value: 'forever' }])).toBe(ErrorCode.INVALID_CONFIG)
    expect(await codes([{ name: 'no.such', configOperation: SET, value: '1' }])).toBe(ErrorCode.INVALID_CONFIG)
    expect(await codes([{ name: 'retention.ms', configOperation: APPEND, value: '1' }])).toBe(ErrorCode.INVALID_CONFIG)
    expect(await codes([{ name: 'retention.ms', configOperation: 9, value: '1' }])).toBe(ErrorCode.INVALID_REQUEST)
    expect(await codes([{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: DELETE, value: null }])).toBe(ErrorCode.INVALID_REQUEST)
    expect(await codes([{ name: 'retention.ms', configOperation: SET, value: '1' }], 'missing-topic')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const twice = await client.request(IncrementalAlterConfigsApi, 0, {
      resources: [0, 1].map(() => ({ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: SET, value: '5' }] })),
    })
    expect(twice.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
    expect(t.broker.logs.topic(topic)!.configs).toEqual({})
  })

  it('changes broker defaults at runtime: topics without overrides follow, read-only settings refuse', async () => {
    const b = await startTestBroker()
    const c = await RawClient.connect(b.broker.port)
    const topic = randomTopic()
    await createTopic(c, topic)
    const res = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: SET, value: '123456' }] }] })
    expect(res.responses[0]!.errorCode).toBe(0)
    expect(b.broker.logs.topicConfig(topic).retentionMs).toBe(123456)
    const described = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: ['retention.ms'] }] })
    expect(described.results[0]!.configs[0]).toMatchObject({ value: '123456', configSource: 3 })
    const defaults = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }] })
    expect(defaults.results[0]!.configs.map((x) => `${x.name}=${x.value}`)).toEqual(['log.retention.ms=123456'])
    const readOnly = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '0', configs: [{ name: 'num.partitions', configOperation: SET, value: '4' }] }] })
    expect(readOnly.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: num.partitions' })
    expect(b.log.matching('changed broker config defaults: log.retention.ms=123456')).toHaveLength(1)
    await c.close()
    await b.broker.close()
  })

  it('AlterConfigs replaces every override of a topic, and of the broker defaults', async () => {
    const topic = randomTopic()
    await createTopic(client, topic, 1, { 'retention.ms': '60000', 'segment.ms': '7200000' })
    const res = await client.request(AlterConfigsApi, 2, { resources: [{ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', value: '2048' }] }], validateOnly: false })
    expect(res.responses[0]).toMatchObject({ errorCode: 0, errorMessage: null })
    expect(t.broker.logs.topic(topic)!.configs).toEqual({ 'max.message.bytes': '2048' })
    const bad = await client.request(AlterConfigsApi, 0, { resources: [{ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', value: null }] }], validateOnly: false })
    expect(bad.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG)
    const onlyValidate = await client.request(AlterConfigsApi, 1, { resources: [{ resourceType: TOPIC, resourceName: topic, configs: [] }], validateOnly: true })
    expect(onlyValidate.responses[0]!.errorCode).toBe(0)
    expect(t.broker.logs.topic(topic)!.configs).toEqual({ 'max.message.bytes': '2048' })

    const b = await startTestBroker()
    const c = await RawClient.connect(b.broker.port)
    const set = (configs: { name: string; value: string }[]) => c.request(AlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '0', configs }], validateOnly: false })
    await set([{ name: 'log.retention.ms', value: '1000' }, { name: 'log.segment.bytes', value: '100000' }])
    await set([{ name: 'log.segment.bytes', value: '200000' }])
    expect(b.broker.logs.brokerDefaults()).toEqual({ 'segment.bytes': '200000' })
    expect((await set([{ name: 'node.id', value: '3' }])).responses[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    await c.close()
    await b.broker.close()
  })
})

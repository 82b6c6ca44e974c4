import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '../src/admin/admin.js'
import { KafkaAggregateError } from '../src/errors/aggregate-error.js'
import { clientOptions, startTestBroker, type Broker } from './helpers/broker.js'
import { randomTopic } from './helpers/random.js'

let broker: Broker
let admin: Admin

beforeAll(async () => {
  broker = await startTestBroker()
  admin = new Admin(clientOptions(broker))
})
afterAll(async () => {
  await admin.close()
  await broker.close()
})

describe('Admin topics', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const [a, b] = [randomTopic(), randomTopic()]
    const created = await admin.createTopics([{ name: a, partitions: 3 }, { name: b }])
    expect(created.map((t) => [t.name, t.partitions, t.replicationFactor])).toEqual([
      [a, 3, 1],
      [b, 1, 1],
    ])
    expect(created[0]!.topicId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]))
    const [described] = await admin.describeTopics([a])
    expect(described).toMatchObject({ name: a, topicId: created[0]!.topicId, isInternal: false })
    expect(described!.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([0, 1, 2].map((p) => [p, broker.nodeId, [broker.nodeId], [broker.nodeId]]))
    await admin.deleteTopics([a, b])
    const remaining = await admin.listTopics()
    expect(remaining).not.toContain(a)
    expect(remaining).not.toContain(b)
  })

  it('creates topics with configs and returns them from describeTopics', async () => {
    const name = randomTopic()
    await admin.createTopics([{ name, partitions: 1, configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } }])
    const [t] = await admin.describeTopics([name], { includeConfigs: true })
    expect(t!.configs).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '3600000' })
  })

  it('validates without creating when validateOnly is set', async () => {
    const name = randomTopic()
    const [result] = await admin.createTopics([{ name, partitions: 2 }], { validateOnly: true })
    expect(result!.name).toBe(name)
    expect(await admin.listTopics()).not.toContain(name)
  })

  it('reports per-topic failures in one error keyed by path, after creating the rest', async () => {
    const existing = randomTopic()
    const fresh = randomTopic()
    await admin.createTopics([{ name: existing }])
    const err = await admin.createTopics([{ name: existing }, { name: fresh, partitions: 2 }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KafkaAggregateError)
    const agg = err as KafkaAggregateError
    expect(agg.code).toBe('TOPIC_ALREADY_EXISTS')
    expect(agg.retriable).toBe(false)
    expect([...agg.errors.keys()]).toEqual([`/topics/${existing}`])
    expect(agg.message).toContain(`/topics/${existing}: TOPIC_ALREADY_EXISTS`)
    expect(await admin.listTopics()).toContain(fresh)
  })

  it('names invalid topics and bad partition counts per topic', async () => {
    const err = (await admin.createTopics([{ name: 'bad name!' }, { name: randomTopic(), partitions: 0 }]).catch((e: unknown) => e)) as KafkaAggregateError
    expect(err.code).toBe('MULTIPLE_ERRORS')
    expect([...err.errors.values()].map((e) => e.code)).toEqual(['INVALID_TOPIC_EXCEPTION', 'INVALID_PARTITIONS'])
  })

  it('fails describe and delete of a topic that does not exist, without retrying until the timeout', async () => {
    const missing = randomTopic('missing')
    const started = Date.now()
    await expect(admin.describeTopics([missing])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringContaining(`/topics/${missing}`) })
    expect(Date.now() - started).toBeLessThan(2_000)
    await expect(admin.deleteTopics([missing])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('adds partitions, and the new partitions have leaders', async () => {
    const name = randomTopic()
    await admin.createTopics([{ name, partitions: 1 }])
    await admin.createPartitions([{ topic: name, count: 4 }])
    const [t] = await admin.describeTopics([name])
    expect(t!.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3])
    const offsets = await admin.listOffsets([{ topic: name, partitions: [3] }])
    expect(offsets[0]!.offset).toBe(0n)
    await expect(admin.createPartitions([{ topic: name, count: 2 }])).rejects.toMatchObject({ code: 'INVALID_PARTITIONS' })
  })

  it('rejects a call naming the same topic twice before sending it', async () => {
    const name = randomTopic()
    await expect(admin.createTopics([{ name }, { name }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('Admin configs', () => {
  it('describes topic configs with their sources and round-trips incremental changes', async () => {
    const name = randomTopic()
    await admin.createTopics([{ name, configs: { 'retention.ms': '86400000' } }])
    const [before] = await admin.describeConfigs([{ type: 'topic', name, keys: ['retention.ms', 'cleanup.policy'] }])
    const byName = Object.fromEntries(before!.configs.map((c) => [c.name, c]))
    expect(byName['retention.ms']).toMatchObject({ value: '86400000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false })
    expect(byName['cleanup.policy']).toMatchObject({ value: 'delete', isDefault: true, source: expect.stringMatching(/DEFAULT_CONFIG|STATIC_BROKER_CONFIG/) })

    await admin.alterConfigs([{ type: 'topic', name, ops: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', op: 'delete' }] }])
    const [after] = await admin.describeConfigs([{ type: 'topic', name, keys: ['retention.ms', 'cleanup.policy'] }])
    const now = Object.fromEntries(after!.configs.map((c) => [c.name, c]))
    expect(now['cleanup.policy']).toMatchObject({ value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' })
    expect(now['retention.ms']!.source).not.toBe('DYNAMIC_TOPIC_CONFIG')
  })

  it('appends to and subtracts from list configs', async () => {
    const name = randomTopic()
    await admin.createTopics([{ name }])
    await admin.alterConfigs([{ type: 'topic', name, ops: [{ name: 'cleanup.policy', op: 'append', value: 'compact' }] }])
    const read = async () => (await admin.describeConfigs([{ type: 'topic', name, keys: ['cleanup.policy'] }]))[0]!.configs[0]!.value
    expect(await read()).toBe('delete,compact')
    await admin.alterConfigs([{ type: 'topic', name, ops: [{ name: 'cleanup.policy', op: 'subtract', value: 'delete' }] }])
    expect(await read()).toBe('compact')
  })

  it('checks without applying under validateOnly, and reports invalid values per resource', async () => {
    const name = randomTopic()
    await admin.createTopics([{ name }])
    await admin.alterConfigs([{ type: 'topic', name, ops: [{ name: 'retention.ms', value: '1000' }] }], { validateOnly: true })
    const [d] = await admin.describeConfigs([{ type: 'topic', name, keys: ['retention.ms'] }])
    expect(d!.configs[0]!.value).not.toBe('1000')
    const err = await admin.alterConfigs([{ type: 'topic', name, ops: [{ name: 'retention.ms', value: 'soon' }] }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KafkaAggregateError)
    expect([...(err as KafkaAggregateError).errors.keys()]).toEqual([`/resources/topic/${name}`])
    expect((err as KafkaAggregateError).code).toBe('INVALID_CONFIG')
  })

  it("describes a broker's configs by asking that broker", async () => {
    const [d] = await admin.describeConfigs([{ type: 'broker', name: String(broker.nodeId), keys: ['num.partitions'] }])
    expect(d!.configs).toEqual([expect.objectContaining({ name: 'num.partitions', value: '1' })])
  })
})

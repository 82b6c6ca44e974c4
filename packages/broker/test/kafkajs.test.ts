import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs'
import { randomTopic, requireKcat, runKcat, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('kafkajs 2.2.4 against the broker', () => {
  let t: TestBroker
  let kafka: Kafka
  let admin: Admin
  let producer: Producer
  beforeAll(async () => {
    t = await startTestBroker()
    kafka = new Kafka({ clientId: 'kafkajs-interop', brokers: [t.broker.bootstrapServers], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } })
    admin = kafka.admin()
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false })
    await admin.connect()
    await producer.connect()
  })
  afterAll(async () => {
    await producer.disconnect()
    await admin.disconnect()
    await t.broker.close()
  })

  it('admin: createTopics, listTopics, fetchTopicMetadata, describeConfigs, createPartitions, deleteTopics', async () => {
    const topic = randomTopic('kjs-admin')
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }] }], waitForLeaders: true })).toBe(true)
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false)
    expect(await admin.listTopics()).toContain(topic)
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(topics).toHaveLength(1)
    expect(topics[0]!.partitions.map((p) => ({ id: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })).sort((a, b) => a.id - b.id)).toEqual(
      [0, 1, 2].map((id) => ({ id, leader: 0, replicas: [0], isr: [0] })),
    )
    const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false })
    expect(configs.resources[0]!.configEntries).toMatchObject([{ configName: 'retention.ms', configValue: '86400000', isDefault: false }])
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] })
    expect(t.broker.logs.topic(topic)!.partitions).toBe(4)
    await admin.deleteTopics({ topics: [topic] })
    expect(await admin.listTopics()).not.toContain(topic)
  })

  it('producer: acks -1, 1 and 0 all land, in order, and fetchTopicOffsets agrees with the log', async () => {
    const topic = randomTopic('kjs-acks')
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const message = (i: number) => ({ key: `k${i}`, value: `v${i}`, headers: { n: String(i) }, partition: 0 })
    const all = await producer.send({ topic, acks: -1, messages: [0, 1, 2].map(message) })
    expect(all).toEqual([{ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' }])
    const leader = await producer.send({ topic, acks: 1, messages: [3, 4].map(message) })
    expect(leader[0]).toMatchObject({ errorCode: 0, baseOffset: '3' })
    // With acks 0 kafkajs expects no response; the data must still arrive.
    await producer.send({ topic, acks: 0, messages: [5, 6, 7].map(message) })
    await waitFor(() => t.broker.logs.log(topic, 0).logEndOffset === 8, { message: 'the acks=0 records to be appended' })
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '8', high: '8', low: '0' }])
  })

  it('kcat reads what kafkajs wrote, across partitions, with keys, headers and gzip', async (ctx) => {
    requireKcat(ctx)
    const topic = randomTopic('kjs-kcat')
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}`, headers: { origin: 'kafkajs' } }))
    await producer.send({ topic, acks: -1, compression: 1, messages: sent.slice(0, 150) })
    await producer.send({ topic, acks: -1, messages: sent.slice(150) })
    const offsets = await admin.fetchTopicOffsets(topic)
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(300)
    const { stdout } = await runKcat(['-C', '-b', t.broker.bootstrapServers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\t%h\n'])
    const rows = stdout.toString().split('\n').filter(Boolean).map((l) => l.split('\t'))
    expect(rows).toHaveLength(300)
    expect(rows.map((r) => `${r[2]}=${r[3]}|${r[4]}`).sort()).toEqual(sent.map((m) => `${m.key}=${m.value}|origin=kafkajs`).sort())
    // Per partition, offsets run 0, 1, 2, ... in the order kafkajs sent them.
    for (const p of ['0', '1', '2']) {
      const inPartition = rows.filter((r) => r[0] === p)
      expect(inPartition.map((r) => Number(r[1]))).toEqual(inPartition.map((_, i) => i))
      const sentOrder = inPartition.map((r) => Number(r[2]!.slice(4)))
      expect(sentOrder).toEqual([...sentOrder].sort((a, b) => a - b))
    }
  })

  it('admin: fetchTopicOffsetsByTimestamp finds offsets through the time index', async () => {
    const topic = randomTopic('kjs-time')
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await producer.send({ topic, messages: [1000, 2000, 3000].map((ts, i) => ({ value: `t${i}`, timestamp: String(ts), partition: 0 })) })
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 1500)).toEqual([{ partition: 0, offset: '1' }])
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 9999)).toEqual([{ partition: 0, offset: '3' }])
  })
})

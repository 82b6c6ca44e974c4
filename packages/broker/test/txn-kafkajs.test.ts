import { ErrorCode, ListOffsetsApi, OffsetFetchApi } from '@tributary/protocol'
import { RawClient, randomTopic, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TXN_TEST_CONFIGS, readPartition } from './txn-helpers.js'

describe('transactions with kafkajs', () => {
  let t: TestBroker
  let kafka: Kafka
  let raw: RawClient
  const cleanups: (() => Promise<unknown>)[] = []

  beforeAll(async () => {
    t = await startTestBroker({ configs: TXN_TEST_CONFIGS })
    kafka = new Kafka({
      clientId: 'txn-test',
      brokers: [t.broker.bootstrapServers],
      logLevel: process.env.TRIBUTARY_TEST_LOG === '1' ? logLevel.WARN : logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
    })
    raw = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
    await raw.close()
    await t.broker.close()
  })

  async function transactionalProducer(transactionalId: string): Promise<Producer> {
    const producer = kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 30_000 })
    await producer.connect()
    cleanups.push(() => producer.disconnect())
    return producer
  }

  async function consume(topic: string, readUncommitted: boolean, until: (values: string[]) => boolean): Promise<string[]> {
    const consumer: Consumer = kafka.consumer({ groupId: `reader-${randomTopic()}`, readUncommitted, maxWaitTimeInMs: 100, sessionTimeout: 6000, heartbeatInterval: 500 })
    await consumer.connect()
    const values: string[] = []
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) })
      await waitFor(() => until(values), { timeoutMs: 15_000, message: `the ${readUncommitted ? 'read_uncommitted' : 'read_committed'} consumer to read ${topic}` })
    } finally {
      await consumer.disconnect()
    }
    return values
  }

  it('shows committed messages to read_committed consumers, hides aborted ones, and shows both to read_uncommitted ones', async () => {
    const topic = randomTopic('txn')
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await admin.disconnect()
    const producer = await transactionalProducer(`tx-${topic}`)
    const send = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction()
      await txn.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) })
      if (commit) await txn.commit()
      else await txn.abort()
    }
    await send(['a0', 'a1', 'a2', 'a3'], true)
    await send(['b0', 'b1', 'b2', 'b3'], false)
    await send(['c0', 'c1', 'c2', 'c3'], true)

    const committed = await consume(topic, false, (v) => v.includes('c2') && v.includes('c3'))
    expect(committed.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'c0', 'c1', 'c2', 'c3'])
    const everything = await consume(topic, true, (v) => v.length >= 12)
    expect(everything.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3'])

    // The broker's side of it: the aborted transaction is reported, markers take offsets, LSO = HW.
    const p0 = await readPartition(raw, topic, 0, 1)
    expect(p0.values.map((v) => v.value)).toEqual(['a0', 'a2', 'c0', 'c2'])
    expect(p0.aborted).toHaveLength(1)
    expect(p0.highWatermark).toBe(9)
    expect(p0.lastStableOffset).toBe(9)
    expect((await readPartition(raw, topic, 0, 0)).values.map((v) => v.value)).toEqual(['a0', 'a2', 'b0', 'b2', 'c0', 'c2'])
  })

  it('holds read_committed readers at the start of an open transaction until it commits', async () => {
    const topic = randomTopic('txn-open')
    const producer = await transactionalProducer(`tx-${topic}`)
    const plain = kafka.producer()
    await plain.connect()
    cleanups.push(() => plain.disconnect())
    await plain.send({ topic, messages: [{ value: 'before' }] })
    const txn = await producer.transaction()
    await txn.send({ topic, messages: [{ value: 'inside' }] })
    await plain.send({ topic, messages: [{ value: 'after' }] })

    const open = await readPartition(raw, topic, 0, 1)
    expect(open.values.map((v) => v.value)).toEqual(['before'])
    expect(open.lastStableOffset).toBe(1)
    expect(open.highWatermark).toBe(3)
    const latest = async (isolationLevel: number) => {
      const res = await raw.request(ListOffsetsApi, 5, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] }] })
      return res.topics[0]!.partitions[0]!.offset
    }
    expect(await latest(1)).toBe(1n)
    expect(await latest(0)).toBe(3n)

    await txn.commit()
    const done = await readPartition(raw, topic, 0, 1)
    expect(done.values.map((v) => v.value)).toEqual(['before', 'inside', 'after'])
    expect(done.lastStableOffset).toBe(4)
  })

  it('moves the group offsets sent in a transaction only when it commits', async () => {
    const topic = randomTopic('txn-offsets')
    const groupId = `group-${topic}`
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const producer = await transactionalProducer(`tx-${topic}`)
    const offsetOf = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset

    const aborted = await producer.transaction()
    await aborted.send({ topic, messages: [{ value: 'x' }] })
    await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '3' }] }] })
    expect(await offsetOf()).toBe('-1')
    await aborted.abort()
    expect(await offsetOf()).toBe('-1')

    const committed = await producer.transaction()
    await committed.send({ topic, messages: [{ value: 'y' }] })
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] })
    expect(await offsetOf()).toBe('-1')
    const stable = await raw.request(OffsetFetchApi, 7, { groupId, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: true })
    expect(stable.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT)
    await committed.commit()
    expect(await offsetOf()).toBe('5')
  })

  it('fences the first producer of a transactional id when a second one starts: its writes and commit fail', async () => {
    const topic = randomTopic('txn-fence')
    const transactionalId = `tx-${topic}`
    const first = await transactionalProducer(transactionalId)
    const zombie = await first.transaction()
    await zombie.send({ topic, messages: [{ value: 'zombie-1' }] })

    const second = await transactionalProducer(transactionalId)
    const txn = await second.transaction() // kafkajs sends InitProducerId here: this fences the first
    await expect(zombie.send({ topic, messages: [{ value: 'zombie-2' }] })).rejects.toThrow(/epoch|fenced/i)
    await expect(zombie.commit()).rejects.toThrow(/epoch|fenced|transaction/i)

    await txn.send({ topic, messages: [{ value: 'second' }] })
    await txn.commit()
    const read = await readPartition(raw, topic, 0, 1)
    expect(read.values.map((v) => v.value)).toEqual(['second'])
    expect(read.aborted).toHaveLength(1)
    expect((await readPartition(raw, topic, 0, 0)).values.map((v) => v.value)).toEqual(['zombie-1', 'second'])
  })
})

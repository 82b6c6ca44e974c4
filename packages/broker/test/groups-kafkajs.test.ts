import { startTestBroker, tempDir, waitFor, type TestBroker } from '@tributary/testkit'
import type { Consumer, Kafka } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { assignedPartitions, kafkajs } from './groups-helpers.js'

const FAST_GROUPS = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000' }

interface Received {
  consumer: number
  partition: number
  offset: number
  value: string
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function broker(options: Parameters<typeof startTestBroker>[0] = {}): Promise<TestBroker> {
  const t = await startTestBroker({ configs: FAST_GROUPS, ...options })
  cleanups.push(() => t.broker.close())
  return t
}

/** Starts a kafkajs consumer in `groupId` that records what it receives. */
async function startConsumer(kafka: Kafka, groupId: string, topic: string, index: number, received: Received[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100, retry: { retries: 8, initialRetryTime: 50 } })
  let connected = true
  cleanups.push(async () => {
    if (connected) await consumer.disconnect()
  })
  consumer.on(consumer.events.STOP, () => (connected = false))
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async ({ partition, message }) => {
      received.push({ consumer: index, partition, offset: Number(message.offset), value: message.value!.toString() })
    },
  })
  return consumer
}

/** The group's members and their partitions, once it is Stable with `members` members each owning some. */
async function stableAssignment(kafka: Kafka, groupId: string, members: number): Promise<Map<string, string[]>> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([groupId])
        const g = groups[0]!
        if (g.state !== 'Stable' || g.members.length !== members) return undefined
        const byMember = new Map(g.members.map((m) => [m.memberId, assignedPartitions(m.memberAssignment)]))
        return [...byMember.values()].every((p) => p.length > 0) ? byMember : undefined
      },
      { timeoutMs: 20_000, intervalMs: 100, message: `group ${groupId} to be Stable with ${members} members` },
    )
  } finally {
    await admin.disconnect()
  }
}

async function produce(kafka: Kafka, topic: string, partitions: number, perPartition: number, tag: string): Promise<string[]> {
  const producer = kafka.producer()
  await producer.connect()
  const values: string[] = []
  for (let p = 0; p < partitions; p++) {
    const messages = Array.from({ length: perPartition }, (_, i) => ({ value: `${tag}-p${p}-${i}` }))
    values.push(...messages.map((m) => m.value))
    await producer.send({ topic, messages: messages.map((m) => ({ ...m, partition: p })) })
  }
  await producer.disconnect()
  return values
}

describe('consumer groups with kafkajs', () => {
  it('splits six partitions over three consumers, and two take over when one leaves', async () => {
    const { broker: b } = await broker()
    const kafka = kafkajs(b.bootstrapServers)
    const topic = 'orders-six'
    const groupId = 'kafkajs-three'
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] })

    const received: Received[] = []
    const consumers = []
    for (let i = 0; i < 3; i++) consumers.push(await startConsumer(kafka, groupId, topic, i, received))

    // One generation: every member owns two partitions and no partition is owned twice.
    const three = await stableAssignment(kafka, groupId, 3)
    const owned = [...three.values()].flat()
    expect([...three.values()].map((p) => p.length)).toEqual([2, 2, 2])
    expect(new Set(owned).size).toBe(6)
    expect(owned.sort()).toEqual(Array.from({ length: 6 }, (_, p) => `${topic}-${p}`))

    const first = await produce(kafka, topic, 6, 5, 'first')
    await waitFor(() => received.length >= first.length, { timeoutMs: 15_000, message: 'the first 30 messages' })
    expect(received.map((r) => r.value).sort()).toEqual([...first].sort())
    expect(new Set(received.map((r) => r.consumer))).toEqual(new Set([0, 1, 2]))
    const leaverPartitions = new Set(received.filter((r) => r.consumer === 2).map((r) => r.partition))
    expect(leaverPartitions.size).toBe(2)

    await consumers[2]!.disconnect()
    const two = await stableAssignment(kafka, groupId, 2)
    expect([...two.values()].map((p) => p.length)).toEqual([3, 3])
    expect(new Set([...two.values()].flat()).size).toBe(6)

    received.length = 0
    const second = await produce(kafka, topic, 6, 5, 'second')
    await waitFor(() => received.length >= second.length, { timeoutMs: 15_000, message: 'the second 30 messages' })
    expect(received.map((r) => r.value).sort()).toEqual([...second].sort())
    expect(received.every((r) => r.consumer !== 2)).toBe(true)
    // The partitions the leaver owned were consumed by the two that remain.
    for (const p of leaverPartitions) expect(received.filter((r) => r.partition === p).length).toBe(5)
  })

  it('resumes from the offsets committed before a broker restart: nothing again, nothing skipped', async () => {
    const dir = tempDir('tributary-groups-restart-')
    cleanups.push(() => dir.remove())
    const topic = 'restart-topic'
    const groupId = 'kafkajs-restart'

    const before = await startTestBroker({ dataDir: dir.path, configs: FAST_GROUPS })
    let kafka = kafkajs(before.broker.bootstrapServers)
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const first = await produce(kafka, topic, 3, 4, 'before')
    const received: Received[] = []
    const consumer = await startConsumer(kafka, groupId, topic, 0, received)
    await waitFor(() => received.length >= first.length, { timeoutMs: 15_000, message: 'the messages before the restart' })
    await consumer.disconnect()
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(committed[0]!.partitions.map((p) => p.offset).sort()).toEqual(['4', '4', '4'])
    await admin.disconnect()
    await before.broker.close()

    const after = await broker({ dataDir: dir.path })
    kafka = kafkajs(after.broker.bootstrapServers)
    const admin2 = kafka.admin()
    await admin2.connect()
    cleanups.push(() => admin2.disconnect())
    const reloaded = await admin2.fetchOffsets({ groupId, topics: [topic] })
    expect(reloaded[0]!.partitions.map((p) => p.offset).sort()).toEqual(['4', '4', '4'])

    const second = await produce(kafka, topic, 3, 3, 'after')
    const resumed: Received[] = []
    await startConsumer(kafka, groupId, topic, 1, resumed)
    await waitFor(() => resumed.length >= second.length, { timeoutMs: 15_000, message: 'the messages after the restart' })
    // Give a re-delivery from offset 0 a chance to show up before checking there was none.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(resumed.map((r) => r.value).sort()).toEqual([...second].sort())
    expect(resumed.every((r) => r.offset >= 4)).toBe(true)
  })
})

import { randomTopic, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Consumer, TopicPartition } from '../src/index.js'
import { closeAll, consumerFor, newTopic, produceValues, startBroker } from './helpers.js'

let broker: TestBroker
beforeAll(async () => {
  broker = await startBroker()
})
afterEach(closeAll)
afterAll(() => broker.broker.close())

const names = (tps: TopicPartition[]) => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort()

/** Waits until the members' assignments cover `total` partitions without overlap and the sizes match `sizes` (sorted). */
async function settle(members: Consumer<unknown, unknown>[], total: number, sizes?: number[]): Promise<TopicPartition[][]> {
  return waitFor(
    () => {
      const assignments = members.map((m) => m.assignment())
      const all = assignments.flat()
      if (all.length !== total || new Set(names(all)).size !== total) return false
      if (sizes && JSON.stringify(assignments.map((a) => a.length).sort()) !== JSON.stringify(sizes)) return false
      return assignments
    },
    { timeoutMs: 15_000, message: `${total} partitions split over ${members.length} members` },
  )
}

describe('group membership', () => {
  for (const strategy of ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const) {
    it(`${strategy}: splits partitions, gives extra members none, and they take over when others leave`, async () => {
      const topic = await newTopic(broker, 4)
      const groupId = randomTopic('group')
      const opts = { groupId, partitionAssignmentStrategy: [strategy] as [typeof strategy], autoOffsetReset: 'earliest' as const }
      const a = consumerFor(broker, opts)
      await a.subscribe([topic])
      await settle([a], 4)
      const b = consumerFor(broker, opts)
      const c = consumerFor(broker, opts)
      await b.subscribe([topic])
      await c.subscribe([topic])
      await settle([a, b, c], 4, [1, 1, 2])
      // More members than partitions: two of six own nothing.
      const extra = [consumerFor(broker, opts), consumerFor(broker, opts), consumerFor(broker, opts)]
      for (const e of extra) await e.subscribe([topic])
      const six = await settle([a, b, c, ...extra], 4, [0, 0, 1, 1, 1, 1])
      const idle = [a, b, c, ...extra].filter((_, i) => six[i]!.length === 0)
      // The owners leave: the idle members take over.
      const owners = [a, b, c, ...extra].filter((_, i) => six[i]!.length > 0)
      await Promise.all(owners.slice(0, 2).map((o) => o.close()))
      await settle([...owners.slice(2), ...idle], 4, [1, 1, 1, 1])
    })
  }

  it('prefers cooperative-sticky by default, all members supporting it', async () => {
    const topic = await newTopic(broker, 2)
    const groupId = randomTopic('group')
    const a = consumerFor(broker, { groupId })
    const b = consumerFor(broker, { groupId })
    await a.subscribe(topic)
    await b.subscribe(topic)
    await settle([a, b], 2, [1, 1])
    const meta = a.groupMetadata()
    expect(meta.groupId).toBe(groupId)
    expect(meta.generationId).toBeGreaterThan(0)
    expect(meta.memberId).not.toBe('')
    expect((a as unknown as { membership: { protocolName: string } }).membership.protocolName).toBe('cooperative-sticky')
  })

  it('falls back to range when a member supports only range', async () => {
    const topic = await newTopic(broker, 2)
    const groupId = randomTopic('group')
    const a = consumerFor(broker, { groupId })
    const b = consumerFor(broker, { groupId, partitionAssignmentStrategy: ['range'] })
    await a.subscribe(topic)
    await b.subscribe(topic)
    await settle([a, b], 2, [1, 1])
    await waitFor(() => (a as unknown as { membership: { protocolName: string } }).membership.protocolName === 'range', { message: 'range chosen' })
  })

  it('consumes every record once across members, and calls the listener', async () => {
    const topic = await newTopic(broker, 3)
    await produceValues(broker, topic, [0, 1, 2], 200)
    const groupId = randomTopic('group')
    const seen: string[] = []
    const events: string[] = []
    const members = [0, 1].map(() => consumerFor(broker, { groupId, autoOffsetReset: 'earliest' }))
    await Promise.all(
      members.map((m, i) =>
        m.subscribe([topic], {
          onPartitionsAssigned: (tps) => void events.push(`${i}+${names(tps).join(',')}`),
          onPartitionsRevoked: (tps) => void events.push(`${i}-${names(tps).join(',')}`),
        }),
      ),
    )
    const runs = members.map((m) => m.run({ eachMessage: ({ record }) => void seen.push(String(record.value)) }))
    await waitFor(() => seen.length >= 600, { timeoutMs: 15_000, message: '600 records' })
    await new Promise((r) => setTimeout(r, 200))
    expect(seen.length).toBe(600)
    expect(new Set(seen).size).toBe(600)
    expect(events.some((e) => e.startsWith('0+') || e.startsWith('1+'))).toBe(true)
    await closeAll()
    await Promise.all(runs)
  })

  it('unsubscribe() leaves the group; subscribe() joins again; subscribing twice replaces the topics', async () => {
    const [t1, t2] = [await newTopic(broker, 1), await newTopic(broker, 2)]
    const groupId = randomTopic('group')
    const consumer = consumerFor(broker, { groupId })
    const revoked: string[] = []
    const listener = { onPartitionsRevoked: (tps: TopicPartition[]) => void revoked.push(...names(tps)) }
    await consumer.subscribe([t1], listener)
    await waitFor(() => names(consumer.assignment()).join() === `${t1}-0`, { message: 't1 assigned' })
    await consumer.subscribe([t2], listener)
    await waitFor(() => names(consumer.assignment()).join() === `${t2}-0,${t2}-1`, { message: 't2 assigned instead' })
    expect(revoked).toEqual([`${t1}-0`])
    await consumer.unsubscribe()
    expect(consumer.assignment()).toEqual([])
    await consumer.assign([{ topic: t1, partition: 0 }])
    expect(names(consumer.assignment())).toEqual([`${t1}-0`])
    await expect(consumer.subscribe([t1])).rejects.toThrow(/unsubscribe\(\) before subscribe/)
    await consumer.unsubscribe()
    await consumer.subscribe([t1])
    await waitFor(() => names(consumer.assignment()).join() === `${t1}-0`, { message: 'joined again' })
  })

  it('subscribes by pattern, and picks up topics created later', async () => {
    const prefix = randomTopic('pat')
    const first = await newTopic(broker, 1, `${prefix}-a`)
    const groupId = randomTopic('group')
    const consumer = consumerFor(broker, { groupId, metadataMaxAgeMs: 500 })
    await consumer.subscribe(new RegExp(`^${prefix}-`))
    await waitFor(() => names(consumer.assignment()).join() === `${first}-0`, { message: 'first topic assigned' })
    const second = await newTopic(broker, 1, `${prefix}-b`)
    await waitFor(() => consumer.assignment().length === 2, { timeoutMs: 10_000, message: 'second topic assigned' })
    expect(names(consumer.assignment())).toEqual([`${first}-0`, `${second}-0`].sort())
  })
})

import type { TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAll, consumerFor, newTopic, produceValues, startBroker, take } from './helpers.js'

let broker: TestBroker
beforeAll(async () => {
  broker = await startBroker()
})
afterEach(closeAll)
afterAll(() => broker.broker.close())

/** Checks that each partition's values come in order, without gaps, starting at `from`. */
function expectInOrder(records: { partition: number; value: unknown; offset: bigint }[], partitions: number[], perPartition: number, from = 0): void {
  for (const p of partitions) {
    const mine = records.filter((r) => r.partition === p)
    expect(mine.map((r) => String(r.value))).toEqual(Array.from({ length: perPartition - from }, (_, i) => `p${p}-${i + from}`))
    expect(mine.map((r) => r.offset)).toEqual(Array.from({ length: perPartition - from }, (_, i) => BigInt(i + from)))
  }
}

describe('iterating', () => {
  it('reads every record of assigned partitions, in order within each partition', async () => {
    const topic = await newTopic(broker, 3)
    await produceValues(broker, topic, [0, 1, 2], 1_200)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', maxPollRecords: 50 })
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })))
    const records = await take(consumer, 3_600)
    expectInOrder(records, [0, 1, 2], 1_200)
    // Partitions are interleaved, not read one after the other.
    expect(new Set(records.slice(0, 200).map((r) => r.partition)).size).toBeGreaterThan(1)
  })

  it('carries keys, headers, timestamps and the leader epoch', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 3)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([{ topic, partition: 0 }])
    for await (const r of consumer) {
      expect(r.key?.toString()).toBe('k0')
      expect(r.headers.n?.toString()).toBe('0')
      expect(r.headerList).toEqual([{ key: 'n', value: Buffer.from('0') }])
      expect(r.timestamp).toBeGreaterThan(Date.now() - 60_000)
      expect(r.timestampType).toBe('CreateTime')
      expect(r.leaderEpoch).toBe(0)
      break
    }
  })

  it('applies deserializers', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 2)
    const upper = { deserialize: (b: Buffer | null) => b?.toString().toUpperCase() ?? null }
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', valueDeserializer: upper, keyDeserializer: upper })
    await consumer.assign([{ topic, partition: 0 }])
    const [first] = await take(consumer, 1)
    expect(first!.value).toBe('P0-0')
    expect(first!.key).toBe('K0')
  })

  it('waits for records produced later (long poll) and delivers them', async () => {
    const topic = await newTopic(broker, 1)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([{ topic, partition: 0 }])
    const reading = take(consumer, 5)
    await new Promise((r) => setTimeout(r, 300))
    await produceValues(broker, topic, [0], 5)
    expectInOrder(await reading, [0], 5)
  })

  it('ends iteration when the consumer closes', async () => {
    const topic = await newTopic(broker, 1)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([{ topic, partition: 0 }])
    const iterating = (async () => {
      let n = 0
      for await (const _ of consumer) n++
      return n
    })()
    await new Promise((r) => setTimeout(r, 200))
    await consumer.close()
    expect(await iterating).toBe(0)
  })
})

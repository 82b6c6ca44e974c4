import { waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAll, consumerFor, newTopic, produceValues, startBroker } from './helpers.js'

let broker: TestBroker
beforeAll(async () => {
  broker = await startBroker()
})
afterEach(closeAll)
afterAll(() => broker.broker.close())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('run()', () => {
  it('eachMessage keeps order within each partition while partitions run concurrently', async () => {
    const topic = await newTopic(broker, 4)
    await produceValues(broker, topic, [0, 1, 2, 3], 100)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', maxPollRecords: 20 })
    await consumer.assign([0, 1, 2, 3].map((partition) => ({ topic, partition })))
    const seen = new Map<number, bigint[]>()
    let active = 0
    let maxActive = 0
    const perPartitionActive = new Map<number, number>()
    const stop = new AbortController()
    const running = consumer.run({
      partitionsConsumedConcurrently: 3,
      signal: stop.signal,
      eachMessage: async ({ record, partition }) => {
        active++
        perPartitionActive.set(partition, (perPartitionActive.get(partition) ?? 0) + 1)
        expect(perPartitionActive.get(partition)).toBe(1)
        maxActive = Math.max(maxActive, active)
        await sleep(Number(record.offset) % 3)
        seen.set(partition, [...(seen.get(partition) ?? []), record.offset])
        perPartitionActive.set(partition, perPartitionActive.get(partition)! - 1)
        active--
      },
    })
    await waitFor(() => [...seen.values()].reduce((n, l) => n + l.length, 0) === 400, { timeoutMs: 20_000, message: '400 records' })
    stop.abort()
    await running
    for (const p of [0, 1, 2, 3]) expect(seen.get(p)).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i)))
    expect(maxActive).toBe(3)
  })

  it('a throwing eachMessage stops the run; the next run starts at the failing record', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 10)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([{ topic, partition: 0 }])
    const seen: bigint[] = []
    await expect(
      consumer.run({
        eachMessage: ({ record }) => {
          if (record.offset === 4n) throw new Error('boom at 4')
          seen.push(record.offset)
        },
      }),
    ).rejects.toThrow('boom at 4')
    expect(seen).toEqual([0n, 1n, 2n, 3n])
    expect(consumer.position({ topic, partition: 0 })).toBe(4n)
    const stop = new AbortController()
    const again = consumer.run({
      signal: stop.signal,
      eachMessage: ({ record }) => {
        seen.push(record.offset)
        if (seen.length === 10) stop.abort()
      },
    })
    await again
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)))
  })

  it('eachBatch gets at most maxPollRecords of one partition; resolveOffset keeps partial progress on error', async () => {
    const topic = await newTopic(broker, 2)
    await produceValues(broker, topic, [0, 1], 25)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', maxPollRecords: 10 })
    await consumer.assign([{ topic, partition: 0 }, { topic, partition: 1 }])
    const batches: string[] = []
    let failed = false
    const stop = new AbortController()
    const running = consumer.run({
      signal: stop.signal,
      eachBatch: async ({ topic: t, partition, records, resolveOffset, highWatermark }) => {
        expect(t).toBe(topic)
        expect(highWatermark).toBe(25n)
        expect(records.length).toBeLessThanOrEqual(10)
        expect(records.every((r) => r.partition === partition)).toBe(true)
        if (!failed && partition === 1 && records[0]!.offset === 10n) {
          failed = true
          resolveOffset(12n)
          throw new Error('half done')
        }
        batches.push(`${partition}:${records[0]!.offset}-${records[records.length - 1]!.offset}`)
      },
    }).catch((e: Error) => e)
    expect(await running).toMatchObject({ message: 'half done' })
    stop.abort()
    // Offsets 10-12 of partition 1 were resolved before the error: the next run starts at 13.
    const rest: string[] = []
    const stop2 = new AbortController()
    const second = consumer.run({
      signal: stop2.signal,
      eachBatch: ({ partition, records }) => void rest.push(`${partition}:${records[0]!.offset}-${records[records.length - 1]!.offset}`),
    })
    await waitFor(() => consumer.lag().every((l) => l.lag === 0n), { message: 'caught up' })
    stop2.abort()
    await second
    const all = [...batches, ...rest]
    expect(all.filter((b) => b.startsWith('1:')).some((b) => b.startsWith('1:13-'))).toBe(true)
    expect(all.some((b) => b.startsWith('1:10-'))).toBe(false)
  })

  it('rejects a second handler kind or an invalid concurrency', async () => {
    const consumer = consumerFor(broker, {})
    await expect(consumer.run({ eachMessage: () => {}, eachBatch: () => {} })).rejects.toThrow(/exactly one/)
    await expect(consumer.run({ eachMessage: () => {}, partitionsConsumedConcurrently: 0 })).rejects.toThrow(/positive integer/)
  })
})

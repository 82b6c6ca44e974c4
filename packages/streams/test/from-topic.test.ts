import { Producer } from '@tributary/producer'
import type { TestBroker } from '@tributary/testkit'
import { waitFor } from '@tributary/testkit'
import { map, tap, timer, type Subscription } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DEAD_LETTER_HEADERS, defineTopic, fromTopic, mapAsync, toTopic } from '../src/index.js'
import { FAST_CONSUMER, committedOffsets, createTopics, endOffsets, logger, produce, readAll, startBroker, topicName } from './helpers.js'

const RECORDS = 1_000
const MAX_POLL = 20

describe('fromTopic → operators → toTopic', () => {
  let t: TestBroker
  let bootstrapServers: string
  let producer: Producer<Buffer | null, Buffer | null>
  beforeAll(async () => {
    t = await startBroker()
    bootstrapServers = t.broker.bootstrapServers
    producer = new Producer({ bootstrapServers, logger })
  })
  afterAll(async () => {
    await producer.close()
    await t.broker.close()
  })

  /** Runs a slow pipeline (1 ms per record) over RECORDS records, MAX_POLL records per delivery; returns the most records of one partition in flight at once. */
  async function slowPipeline(maxInFlightPerPartition: number) {
    const input = topicName('bp-in')
    const output = topicName('bp-out')
    const groupId = topicName('bp-group')
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    await produce(bootstrapServers, Array.from({ length: RECORDS }, (_, i) => ({ topic: input, key: `k${i % 10}`, value: JSON.stringify({ n: i }) })))
    const inTopic = defineTopic(input, { value: z.object({ n: z.number() }) })
    const outTopic = defineTopic(output, { value: z.object({ n: z.number(), doubled: z.number() }) })
    const emitted = [0, 0]
    const processed = [0, 0]
    let maxInFlight = 0
    let written = 0
    let closed!: () => void
    const whenClosed = new Promise<void>((resolve) => (closed = resolve))
    const subscription: Subscription = fromTopic({ bootstrapServers, logger, groupId, topic: inTopic, autoOffsetReset: 'earliest', maxInFlightPerPartition, commitIntervalMs: 100, consumer: { ...FAST_CONSUMER, maxPollRecords: MAX_POLL }, onClose: () => closed() })
      .pipe(
        tap((r) => {
          emitted[r.partition]!++
          maxInFlight = Math.max(maxInFlight, emitted[r.partition]! - processed[r.partition]!)
        }),
        mapAsync((r) => timer(1).pipe(map(() => r))),
        tap((r) => processed[r.partition]!++),
        map((r) => ({ key: r.key, value: { n: r.value.n, doubled: r.value.n * 2 } })),
        toTopic(producer, outTopic),
      )
      .subscribe({ next: () => written++ })
    await waitFor(() => written === RECORDS, { timeoutMs: 30_000, message: `all ${RECORDS} records written (written ${written})` })
    // Offsets are committed once records have settled; after unsubscribing, everything is committed.
    await new Promise((r) => setTimeout(r, 150))
    subscription.unsubscribe()
    await whenClosed
    const committed = await committedOffsets(bootstrapServers, groupId, input)
    const ends = await endOffsets(bootstrapServers, input)
    const out = await readAll(bootstrapServers, output)
    return { maxInFlight, committed, ends, out }
  }

  it('pauses partitions that fall behind and resumes them: records in flight stay bounded, all are processed and committed', async () => {
    const bounded = await slowPipeline(50)
    console.log(`backpressure: at most ${bounded.maxInFlight} records of a partition in flight with maxInFlightPerPartition 50 and maxPollRecords ${MAX_POLL}`)
    expect(bounded.maxInFlight).toBeGreaterThanOrEqual(50)
    expect(bounded.maxInFlight).toBeLessThanOrEqual(50 + MAX_POLL)
    expect(bounded.out).toHaveLength(RECORDS)
    expect(new Set(bounded.out.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)).size).toBe(RECORDS)
    expect(bounded.committed).toEqual(bounded.ends)
  }, 60_000)

  it('without a bound, the same pipeline buffers whatever the consumer fetched (what the bound prevents)', async () => {
    const unbounded = await slowPipeline(1_000_000)
    console.log(`backpressure: ${unbounded.maxInFlight} records of a partition in flight without a bound`)
    expect(unbounded.maxInFlight).toBeGreaterThan(300)
    expect(unbounded.out).toHaveLength(RECORDS)
  }, 60_000)

  it('sends records that fail their schema to the dead-letter topic and carries on', async () => {
    const input = topicName('dlq-in')
    const groupId = topicName('dlq-group')
    await createTopics(bootstrapServers, { [input]: 1 })
    await produce(bootstrapServers, [
      { topic: input, key: 'a', value: '{"n":1}' },
      { topic: input, key: 'b', value: 'not json', headers: { trace: 't-1' } },
      { topic: input, key: 'c', value: '{"n":"three"}' },
      { topic: input, key: 'd', value: '{"n":4}' },
    ])
    const seen: number[] = []
    const subscription = fromTopic({ bootstrapServers, logger, groupId, topic: defineTopic(input, { value: z.object({ n: z.number() }) }), autoOffsetReset: 'earliest', consumer: FAST_CONSUMER }).subscribe((r) => seen.push(r.value.n))
    await waitFor(() => seen.length === 2, { message: 'the valid records' })
    const dlq = await waitFor(async () => {
      const records = await readAll(bootstrapServers, `${input}-dlq`)
      return records.length === 2 ? records : undefined
    })
    subscription.unsubscribe()
    expect(seen).toEqual([1, 4])
    expect(dlq.map((r) => r.value!.toString())).toEqual(['not json', '{"n":"three"}'])
    expect(dlq[0]!.headers.trace!.toString()).toBe('t-1')
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.error]!.toString()).toMatch(/Invalid JSON/)
    expect(dlq[1]!.headers[DEAD_LETTER_HEADERS.error]!.toString()).toMatch(/n: expected number/)
    expect(dlq.map((r) => r.headers[DEAD_LETTER_HEADERS.offset]!.toString())).toEqual(['1', '2'])
    expect(dlq[1]!.headers[DEAD_LETTER_HEADERS.partition]!.toString()).toBe('0')
  }, 30_000)
})

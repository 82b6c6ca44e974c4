import { randomBytes } from 'node:crypto'
import { RECORD_COUNT_OFFSET, type ProduceRequest } from '@tributary/protocol'
import { randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, RecordTooLargeError, type ProducerOptions, type RecordMetadata } from '../src/index.js'
import { IDEMPOTENCE_APIS, TRANSACTION_APIS, capturingLogger, createTopics, missingApis, readPartition, skipReason, type StoredRecord } from './helpers.js'

/** The topics' max.message.bytes: a batch of about 15 of the test's records. */
const LIMIT = 2000
const PARTITIONS = 3
const RECORDS = 1500

/**
 * A batch the producer splits when the broker refuses it with MESSAGE_TOO_LARGE: batches of up to
 * 32 KiB (about 280 records) lingering long enough to fill, against topics accepting 2000 bytes. The
 * values are random bytes, so compression cannot bring a batch under the limit.
 */
describe('Producer: batches refused as too large (MESSAGE_TOO_LARGE) are split and sent again', () => {
  let t: TestBroker
  let idempotenceMissing: string | undefined
  let transactionsMissing: string | undefined
  beforeAll(async () => {
    t = await startTestBroker()
    idempotenceMissing = skipReason(await missingApis(t.broker, IDEMPOTENCE_APIS), 'splitting batches of an idempotent producer')
    transactionsMissing = skipReason(await missingApis(t.broker, TRANSACTION_APIS), 'splitting batches of a transactional producer')
  })
  afterAll(() => t.broker.close())

  /** Watches the Produce requests for `topic`: how many batches went over the limit (each was refused with MESSAGE_TOO_LARGE), and the records sent. */
  function watchProduce(topic: string) {
    const seen = { oversized: 0, batches: 0, records: 0 }
    const stop = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce') return
      for (const d of (r.request as ProduceRequest).topicData) {
        if (d.name !== topic) continue
        for (const p of d.partitionData) {
          if (!p.records) continue
          seen.batches++
          seen.records += p.records.readInt32BE(RECORD_COUNT_OFFSET)
          if (p.records.length > LIMIT) seen.oversized++
        }
      }
    })
    return { seen, stop }
  }

  async function tooLargeTopic(prefix: string): Promise<string> {
    const topic = randomTopic(prefix)
    await createTopics(t.broker, { [topic]: PARTITIONS }, { 'max.message.bytes': String(LIMIT) })
    return topic
  }

  /** Record `i`: key `k<i>`, to partition `i % PARTITIONS`, 100 random bytes of value. */
  const record = (topic: string, i: number) => ({ topic, partition: i % PARTITIONS, key: `k${i}`, value: randomBytes(100) })

  function producer(options: Partial<ProducerOptions>) {
    const logger = capturingLogger()
    const p = new Producer({ bootstrapServers: t.broker.bootstrapServers, logger, batchSize: 32 * 1024, lingerMs: 200, ...options })
    return { p, logger }
  }

  /** Every partition's stored records; asserts each holds exactly its records, once, in the order they were sent. */
  async function expectAllOnceInOrder(topic: string, count: number, isolationLevel = 0): Promise<StoredRecord[][]> {
    const partitions = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => readPartition(t, topic, p, isolationLevel)))
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = Array.from({ length: count }, (_, i) => i)
        .filter((i) => i % PARTITIONS === p)
        .map((i) => `k${i}`)
      expect(
        partitions[p]!.map((r) => r.key),
        `partition ${p}`,
      ).toEqual(expected)
    }
    return partitions
  }

  /** Sends RECORDS records at once, then checks the outcome, the stored records and that batches were split. */
  async function sendSplitAndCheck(prefix: string, options: Partial<ProducerOptions>): Promise<{ stored: StoredRecord[][]; metas: RecordMetadata[] }> {
    const topic = await tooLargeTopic(prefix)
    const watch = watchProduce(topic)
    const { p, logger } = producer(options)
    let metas: RecordMetadata[]
    try {
      metas = await Promise.all(Array.from({ length: RECORDS }, (_, i) => p.send(record(topic, i))))
    } finally {
      watch.stop()
      await p.close()
    }
    // The batches first sent were refused, and split (more than once: 32 KiB halves down to 2000 bytes in four steps or more).
    expect(watch.seen.oversized).toBeGreaterThan(PARTITIONS * 4)
    expect(watch.seen.records).toBeGreaterThan(RECORDS)
    expect(logger.matching('splitting it into').length).toBe(watch.seen.oversized)
    const stored = await expectAllOnceInOrder(topic, RECORDS)
    // Each record's metadata names where it was written.
    metas.forEach((m, i) => {
      expect(m.partition).toBe(i % PARTITIONS)
      expect(m.offset).toBe(BigInt(Math.floor(i / PARTITIONS)))
    })
    return { stored, metas }
  }

  it('idempotent (the default): every record once, in order, with one epoch and contiguous sequences', async (ctx) => {
    ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
    const { stored } = await sendSplitAndCheck('tl-idem', {})
    for (const records of stored) {
      // The parts shared out their batch's sequence range: no epoch bump, and each stored batch starts at
      // the sequence of its first record's offset (sequences 0, 1, 2, … across the partition).
      expect(new Set(records.map((r) => `${r.producerId}/${r.producerEpoch}`)).size).toBe(1)
      expect(records[0]!.producerId).toBeGreaterThanOrEqual(0n)
      const batchStarts = new Map<number, number>()
      for (const r of records) if (!batchStarts.has(r.baseSequence)) batchStarts.set(r.baseSequence, r.offset)
      expect(batchStarts.size).toBeGreaterThan(RECORDS / PARTITIONS / 20)
      for (const [sequence, offset] of batchStarts) expect(sequence).toBe(offset)
    }
  })

  it('idempotent: a later batch sent while an earlier one is refused keeps its sequence and follows the parts', async (ctx) => {
    ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
    const topic = await tooLargeTopic('tl-behind')
    // Hold the first oversized request for a while, so the next batch of the partition is sent behind it
    // (on the same connection, it is handled after the refusal: OUT_OF_ORDER_SEQUENCE_NUMBER).
    const sent: { sequence: number; count: number; bytes: number }[] = []
    let held: () => void = () => {}
    const holding = new Promise<void>((resolve) => (held = resolve))
    const stop = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce') return
      for (const d of (r.request as ProduceRequest).topicData) {
        if (d.name !== topic) continue
        for (const p of d.partitionData) {
          if (!p.records) continue
          sent.push({ sequence: p.records.readInt32BE(53), count: p.records.readInt32BE(RECORD_COUNT_OFFSET), bytes: p.records.length })
          if (p.records.length > LIMIT && sent.filter((s) => s.bytes > LIMIT).length === 1) {
            held()
            return { delayMs: 300 }
          }
        }
      }
    })
    const { p, logger } = producer({ lingerMs: 10, batchSize: 64 * 1024 })
    try {
      await p.send(record(topic, 0)) // acknowledged: the partition may have several batches in flight now
      const big = Array.from({ length: 300 }, (_, i) => p.send({ ...record(topic, 1 + i), partition: 0 }))
      await holding
      const small = Array.from({ length: 5 }, (_, i) => p.send({ ...record(topic, 301 + i), partition: 0 }))
      const metas = await Promise.all([...big, ...small])
      expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => BigInt(i + 1)))
    } finally {
      stop()
      await p.close()
    }
    const stored = await readPartition(t, topic, 0)
    expect(stored.map((r) => r.key)).toEqual(Array.from({ length: 306 }, (_, i) => `k${i}`))
    expect(new Set(stored.map((r) => r.producerEpoch)).size).toBe(1)
    // Every stored batch starts at the sequence of its first record's offset: no sequence was reset.
    for (const r of stored) if (stored.find((x) => x.baseSequence === r.baseSequence) === r) expect(r.baseSequence).toBe(r.offset)
    // The small batch (sequences 301-305) went out while the big one was held, was refused, and went
    // again with the same sequence after the big one's parts.
    const smallSends = sent.filter((s) => s.sequence === 301 && s.count === 5)
    expect(smallSends.length).toBe(2)
    expect(sent.indexOf(smallSends[0]!)).toBeLessThan(sent.findIndex((s) => s.sequence === 1 && s.bytes <= LIMIT))
    expect(sent[sent.length - 1]).toEqual(smallSends[1])
    expect(logger.matching('splitting it into').length).toBeGreaterThan(2)
  })

  it('without idempotence: every record once, in order (one request in flight per connection)', async () => {
    const { stored } = await sendSplitAndCheck('tl-plain', { enableIdempotence: false, maxInFlightRequestsPerConnection: 1 })
    expect(stored.flat().every((r) => r.producerId === -1n)).toBe(true)
  })

  it('without idempotence and five requests in flight: every record once', async () => {
    const topic = await tooLargeTopic('tl-plain5')
    const watch = watchProduce(topic)
    const { p } = producer({ enableIdempotence: false })
    try {
      await Promise.all(Array.from({ length: RECORDS }, (_, i) => p.send(record(topic, i))))
    } finally {
      watch.stop()
      await p.close()
    }
    expect(watch.seen.oversized).toBeGreaterThan(0)
    const stored = await Promise.all(Array.from({ length: PARTITIONS }, (_, q) => readPartition(t, topic, q)))
    const keys = stored.flat().map((r) => r.key)
    expect(keys).toHaveLength(RECORDS)
    expect(new Set(keys).size).toBe(RECORDS)
  })

  it('with lz4 compression: every record once, in order, in compressed batches under the limit', async (ctx) => {
    ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
    const { stored } = await sendSplitAndCheck('tl-lz4', { compression: 'lz4' })
    expect(stored.flat().every((r) => r.compression === 'lz4')).toBe(true)
  })

  it('fails a record too large on its own with RecordTooLargeError, and delivers the rest of its batch in order', async (ctx) => {
    ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
    const topic = await tooLargeTopic('tl-one')
    const watch = watchProduce(topic)
    const { p } = producer({})
    const HUGE = 301 // partition 1
    const count = 600
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => p.send(i === HUGE ? { topic, partition: HUGE % PARTITIONS, key: `k${i}`, value: randomBytes(LIMIT + 500) } : record(topic, i))),
    )
    watch.stop()
    await p.close()
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []))
    expect(failed).toEqual([HUGE])
    const error = (outcomes[HUGE] as PromiseRejectedResult).reason as RecordTooLargeError
    expect(error).toBeInstanceOf(RecordTooLargeError)
    expect(error.code).toBe('MESSAGE_TOO_LARGE')
    expect(error.retriable).toBe(false)
    expect(error.message).toContain(`${topic}-1`)
    expect(error.message).toContain(`larger than max.message.bytes (${LIMIT})`)
    expect(watch.seen.oversized).toBeGreaterThan(PARTITIONS)
    const stored = await Promise.all(Array.from({ length: PARTITIONS }, (_, q) => readPartition(t, topic, q)))
    for (let q = 0; q < PARTITIONS; q++) {
      const expected = Array.from({ length: count }, (_, i) => i).filter((i) => i % PARTITIONS === q && i !== HUGE)
      expect(
        stored[q]!.map((r) => r.key),
        `partition ${q}`,
      ).toEqual(expected.map((i) => `k${i}`))
    }
  })

  it('transactional: a transaction whose batches were split commits, and a read_committed reader sees every record once, in order', async (ctx) => {
    ctx.skip(transactionsMissing !== undefined, transactionsMissing)
    const topic = await tooLargeTopic('tl-txn')
    const watch = watchProduce(topic)
    const { p, logger } = producer({ transactionalId: `txn-${topic}` })
    try {
      await p.initTransactions()
      await p.beginTransaction()
      const sends = Array.from({ length: RECORDS }, (_, i) => p.send(record(topic, i)))
      await p.commitTransaction()
      await Promise.all(sends)
    } finally {
      watch.stop()
      await p.close()
    }
    expect(watch.seen.oversized).toBeGreaterThan(PARTITIONS)
    expect(logger.matching('splitting it into').length).toBe(watch.seen.oversized)
    const stored = await expectAllOnceInOrder(topic, RECORDS, 1)
    expect(stored.flat().every((r) => r.producerId >= 0n)).toBe(true)
  })
})

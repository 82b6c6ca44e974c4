import type { InterceptedRequest } from '@tributary/broker'
import { ErrorCode, type ProduceRequest } from '@tributary/protocol'
import { randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer } from '../src/index.js'
import { IDEMPOTENCE_APIS, capturingLogger, createTopics, missingApis, readPartition, skipReason } from './helpers.js'

/** The first base sequence of each batch in a Produce request for `topic`, by partition. */
function sequencesOf(r: InterceptedRequest, topic: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const t of (r.request as ProduceRequest).topicData) {
    if (t.name !== topic) continue
    for (const p of t.partitionData) if (p.records) out.set(p.index, p.records.readInt32BE(53))
  }
  return out
}

describe('Producer: idempotence recovery (KIP-360)', () => {
  let t: TestBroker
  let missing: string | undefined
  beforeAll(async () => {
    t = await startTestBroker()
    missing = skipReason(await missingApis(t.broker, IDEMPOTENCE_APIS), 'idempotent producer recovery')
  })
  afterAll(() => t.broker.close())

  const producer = () =>
    new Producer({ bootstrapServers: t.broker.bootstrapServers, logger: capturingLogger(), enableIdempotence: true, lingerMs: 2, batchSize: 256, retryBackoffMs: 20, requestTimeoutMs: 1000 })

  it('stamps batches with a producer id and consecutive sequence numbers per partition', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('sequences')
    const p = producer()
    await p.sendBatch(Array.from({ length: 50 }, (_, i) => ({ topic, value: `s${i}`.padEnd(40, '.') })))
    await p.close()
    const stored = await readPartition(t, topic)
    expect(stored.map((r) => r.value!.replace(/\.+$/, ''))).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`))
    expect(new Set(stored.map((r) => r.producerId)).size).toBe(1)
    expect(stored[0]!.producerId).toBeGreaterThanOrEqual(0n)
    // Each batch starts where the previous one ended.
    const firstOffsets = new Map<number, number>()
    for (const r of stored) if (!firstOffsets.has(r.baseSequence)) firstOffsets.set(r.baseSequence, r.offset)
    expect(firstOffsets.size).toBeGreaterThan(1)
    for (const [sequence, offset] of firstOffsets) expect(sequence).toBe(offset)
  })

  it('resets sequences with an epoch bump after OUT_OF_ORDER_SEQUENCE_NUMBER at the head, writing each record once', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('oos')
    await createTopics(t.broker, { [topic]: 1 })
    let injected = false
    const sent: number[] = []
    const remove = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce') return
      const sequence = sequencesOf(r, topic).get(0)
      if (sequence === undefined) return
      sent.push(sequence)
      // Pretend the broker lost track after a few batches: refuse one whose predecessors it acknowledged.
      if (!injected && sent.length === 3) {
        injected = true
        return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }
      }
    })
    const p = producer()
    try {
      const values = Array.from({ length: 60 }, (_, i) => `o${i}`.padEnd(40, '.'))
      const metas = await Promise.all(values.map((value) => p.send({ topic, value })))
      expect(metas.every((m) => m.partition === 0)).toBe(true)
      const stored = await readPartition(t, topic)
      expect(stored.map((r) => r.value)).toEqual(values)
      // The batches before the refused one kept epoch 0; from it on, the next epoch, sequences from 0 again.
      const epochs = [...new Set(stored.map((r) => r.producerEpoch))]
      expect(epochs).toHaveLength(2)
      expect(epochs[1]).toBe(epochs[0]! + 1)
      const firstBumped = stored.find((r) => r.producerEpoch === epochs[1])!
      expect(firstBumped.baseSequence).toBe(0)
      expect(new Set(stored.map((r) => r.producerId)).size).toBe(1)
      expect(sent.filter((s) => s === 0).length).toBe(2)
    } finally {
      remove()
      await p.close()
    }
  })

  it('fails only the refused batch when one batch is refused for good, and re-sequences the ones after it', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('gap')
    await createTopics(t.broker, { [topic]: 1 })
    let refusedSequence = -1
    const remove = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce') return
      const sequence = sequencesOf(r, topic).get(0)
      // Refuse the second batch ever sent (not the first: that leaves a gap behind acknowledged data).
      if (sequence !== undefined && sequence > 0 && refusedSequence < 0) {
        refusedSequence = sequence
        return { errorCode: ErrorCode.INVALID_RECORD }
      }
    })
    const p = producer()
    try {
      const values = Array.from({ length: 60 }, (_, i) => `g${i}`.padEnd(40, '.'))
      const outcomes = await Promise.allSettled(values.map((value) => p.send({ topic, value })))
      const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []))
      expect(failed.length).toBeGreaterThan(0)
      expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason.code === 'INVALID_RECORD')).toBe(true)
      // The failed records are one contiguous batch; everything else is written once, in order.
      expect(failed).toEqual(Array.from({ length: failed.length }, (_, i) => failed[0]! + i))
      const stored = await readPartition(t, topic)
      expect(stored.map((r) => r.value)).toEqual(values.filter((_, i) => !failed.includes(i)))
    } finally {
      remove()
      await p.close()
    }
  })
})

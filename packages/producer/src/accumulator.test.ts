import type { KafkaError } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { Accumulator, AppendResult } from './accumulator.js'
import type { DeliverySink } from './delivery.js'
import type { RecordMetadata } from './record.js'

const record = (value: string) => ({ key: null, value: Buffer.from(value), headers: [], timestamp: 1_000 })
const sink = (): DeliverySink & { done: (RecordMetadata | KafkaError)[] } => {
  const done: (RecordMetadata | KafkaError)[] = []
  return { done, resolve: (_s, m) => void done.push(m), reject: (_s, e) => void done.push(e) }
}

describe('Accumulator', () => {
  const options = { batchSize: 100, lingerMs: 50, deliveryTimeoutMs: 1000, bufferMemory: 1000 }

  // A record with an n-byte value (n < 64), no key, no headers, at the batch's timestamp takes n + 7
  // bytes; a batch's header takes 61, so a 100-byte batch has room for 39 bytes of records.
  it('fills a batch up to batchSize, then starts a new one; a large record gets a batch of its own', () => {
    const acc = new Accumulator(options)
    const q = acc.queue('t', 0)
    const s = sink()
    expect(acc.append(q, record('a'.repeat(20)), 30, s, 0, 0, true)).toBe(AppendResult.NewBatch)
    expect(acc.append(q, record('b'.repeat(5)), 30, s, 1, 0, true)).toBe(AppendResult.BatchFull)
    expect(q.batches[0]!.sizeBytes).toBe(100)
    expect(acc.append(q, record('c'.repeat(20)), 30, s, 2, 0, true)).toBe(AppendResult.NewBatch)
    expect(acc.append(q, record('d'.repeat(500)), 600, s, 3, 0, true)).toBe(AppendResult.BatchFull)
    expect(q.batches.map((b) => b.count)).toEqual([2, 1, 1])
    expect(q.batches.map((b) => b.full)).toEqual([true, true, true])
    expect(q.batches.map((b) => b.memory)).toEqual([60, 30, 600])
    expect(acc.incompleteBatches).toBe(3)
  })

  it('reports when a new batch would be needed, for the sticky partitioner to move on', () => {
    const acc = new Accumulator(options)
    const q = acc.queue('t', 1)
    expect(acc.append(q, record('a'.repeat(10)), 10, sink(), 0, 0, false)).toBe(AppendResult.NeedsNewBatch)
    acc.append(q, record('a'.repeat(10)), 10, sink(), 0, 0, true)
    expect(acc.append(q, record('b'.repeat(10)), 10, sink(), 0, 0, false)).toBe(AppendResult.Appended)
    expect(acc.append(q, record('c'.repeat(10)), 10, sink(), 0, 0, false)).toBe(AppendResult.NeedsNewBatch)
  })

  it('holds a batch back for lingerMs unless it is full, retried, flushed, or memory is short', async () => {
    const acc = new Accumulator(options)
    const q = acc.queue('t', 0)
    acc.append(q, record('a'), 10, sink(), 0, 1_000, true)
    const head = q.batches[0]!
    expect(acc.isReady(q, head, 1_020)).toBe(false)
    expect(acc.isReady(q, head, 1_050)).toBe(true)
    const flushed = acc.flush()
    expect(acc.isReady(q, head, 1_020)).toBe(true)
    q.batches.shift()
    acc.succeed(head, 7n, -1n)
    await flushed
    expect(acc.flushing).toBe(false)
  })

  it('resolves every record with consecutive offsets and gives the memory back', () => {
    const acc = new Accumulator(options)
    const q = acc.queue('orders', 2)
    const s = sink()
    expect(acc.memory.tryReserve(20)).toBe(true)
    acc.append(q, record('a'), 10, s, 0, 0, true)
    acc.append(q, record('b'), 10, s, 1, 0, true)
    const batch = q.batches.shift()!
    acc.succeed(batch, 41n, -1n)
    expect(s.done).toEqual([
      { topic: 'orders', partition: 2, offset: 41n, baseOffset: 41n, timestamp: 1_000 },
      { topic: 'orders', partition: 2, offset: 42n, baseOffset: 41n, timestamp: 1_000 },
    ])
    expect(acc.memory.available).toBe(1000)
    expect(acc.incompleteBatches).toBe(0)
  })
})

import { KafkaError, decodeRecordBatch } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { ProducerBatch, recordSizeUpperBound, type PendingRecord } from './batch.js'
import { PartitionQueue } from './partition-queue.js'

const noSink = { resolve() {}, reject() {} }

describe('ProducerBatch', () => {
  it('knows its exact encoded size as records are appended, within the upper bound used for memory', () => {
    const batch = new ProducerBatch(new PartitionQueue('t', 0), 0, 1000)
    const records: PendingRecord[] = [
      { key: null, value: Buffer.alloc(100), headers: [], timestamp: 1_700_000_000_000 },
      { key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('v') }], timestamp: 1_700_000_000_005 },
      { key: Buffer.alloc(70), value: Buffer.alloc(9000), headers: [{ key: 'ключ', value: null }], timestamp: 1_699_999_999_000 },
      { key: null, value: Buffer.alloc(3), headers: [], timestamp: 1_800_000_000_000 },
    ]
    for (let i = 0; i < 200; i++) records.push({ key: null, value: Buffer.alloc(i), headers: [], timestamp: 1_700_000_000_000 + i * 1000 })
    for (const r of records) {
      const bytes = batch.sizeOf(r)
      expect(bytes).toBeLessThanOrEqual(recordSizeUpperBound(r.key, r.value, r.headers))
      batch.append(r, bytes, 0, noSink, 0)
      expect(batch.encode('none', undefined).length).toBe(batch.sizeBytes)
    }
    expect(decodeRecordBatch(batch.encode('none', undefined)).records).toHaveLength(records.length)
  })

  it('splits into ordered parts of at most the given size that share its sequence range, outcomes and memory', () => {
    const q = new PartitionQueue('t', 3)
    const settled: string[] = []
    const sink = { resolve: (slot: number) => void settled.push(`ok ${slot}`), reject: (slot: number) => void settled.push(`failed ${slot}`) }
    const batch = new ProducerBatch(q, 10, 1000)
    let memory = 0
    for (let i = 0; i < 40; i++) {
      const r: PendingRecord = { key: Buffer.from(`k${i}`), value: Buffer.alloc(100 + (i % 7)), headers: [], timestamp: 1_700_000_000_000 + i }
      const m = recordSizeUpperBound(r.key, r.value, r.headers)
      memory += m
      batch.append(r, batch.sizeOf(r), m, sink, i)
    }
    batch.setProducerState(7n, 2, 100, true)
    batch.attempts = 1
    batch.sendOrder = 9
    const parts = batch.split(1000)
    expect(parts.length).toBeGreaterThan(4)
    expect(parts.flatMap((b) => b.records)).toEqual(batch.records)
    expect(parts.reduce((n, b) => n + b.memory, 0)).toBe(memory)
    let sequence = 100
    for (const [i, b] of parts.entries()) {
      expect(b.sizeBytes).toBeLessThanOrEqual(1000)
      expect(b.encode('none', undefined).length).toBe(b.sizeBytes)
      expect([b.producerId, b.producerEpoch, b.baseSequence, b.isTransactional]).toEqual([7n, 2, sequence, true])
      expect([b.full, b.attempts, b.sendOrder, b.splitPath, b.createdAt, b.deadline]).toEqual([true, 0, 9, [i], 10, 1000])
      const decoded = decodeRecordBatch(b.encode('none', undefined))
      expect(decoded.baseSequence).toBe(sequence)
      sequence += b.count
    }
    parts[1]!.succeed(0n, -1n, undefined)
    parts[0]!.fail(new KafkaError('x', { code: 'X' }), undefined)
    expect(settled.slice(0, parts[1]!.count)).toEqual(parts[1]!.slots.map((s) => `ok ${s}`))
    // Within the size (batches are filled only up to batchSize), it is halved: two parts of about equal bytes.
    const halves = batch.split(1 << 20)
    expect(halves.map((b) => b.count)).toEqual([20, 20])
    expect(Math.abs(halves[0]!.sizeBytes - halves[1]!.sizeBytes)).toBeLessThan(120)
    expect(halves.map((b) => b.baseSequence)).toEqual([100, 120])
    expect(halves.map((b) => b.splitPath)).toEqual([[0], [1]])
    // A part larger than the size on its own still gets a batch of its own.
    expect(batch.split(0).map((b) => b.count)).toEqual(batch.records.map(() => 1))
  })

  it('requeues the parts of a split batch in order among retried batches, however often they are split', () => {
    const q = new PartitionQueue('t', 0)
    const make = (sendOrder: number, n: number) => {
      const b = new ProducerBatch(q, 0, 1000)
      for (let i = 0; i < n; i++) {
        const r: PendingRecord = { key: null, value: Buffer.alloc(50), headers: [], timestamp: 0 }
        b.append(r, b.sizeOf(r), 0, noSink, i)
      }
      b.attempts = 1
      b.sendOrder = sendOrder
      return b
    }
    const earlier = make(4, 1)
    const big = make(5, 8)
    const later = make(6, 1)
    const fresh = make(0, 1)
    fresh.attempts = 0
    q.batches.push(fresh)
    q.requeue(later)
    const [a, b] = big.split(big.sizeBytes / 2 + 40)
    q.requeue(a!, b!)
    expect(q.batches).toEqual([a, b, later, fresh])
    // The first part is refused as too large again: its own parts go where it was.
    q.batches.shift()
    const [a1, a2] = a!.split(a!.sizeBytes / 2 + 40)
    expect(a1!.splitPath).toEqual([0, 0])
    q.requeue(a1!, a2!)
    expect(q.batches).toEqual([a1, a2, b, later, fresh])
    // Parts sent and retried one by one keep their places; so does a batch sent before them.
    q.batches.splice(1, 2)
    q.requeue(b!)
    q.requeue(a2!)
    q.requeue(earlier)
    expect(q.batches).toEqual([earlier, a1, a2, b, later, fresh])
  })
})

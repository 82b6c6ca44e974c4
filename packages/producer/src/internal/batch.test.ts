import { decodeRecordBatch } from '@tributary/protocol'
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
})

import { encodeControlBatch, encodeRecordBatch } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { RecordError } from '../errors.js'
import type { ConsumerRecord } from '../record.js'
import { FetchedData } from './fetched-data.js'
import { recordFactory } from './record-factory.js'

const make = recordFactory<unknown, unknown>(undefined, undefined)

/** A v2 batch of string values at `baseOffset`. */
function batch(baseOffset: number, values: string[], txn?: { producerId: bigint }): Buffer {
  return encodeRecordBatch({
    baseOffset: BigInt(baseOffset),
    isTransactional: txn !== undefined,
    producerId: txn?.producerId ?? -1n,
    producerEpoch: txn ? 0 : -1,
    baseSequence: txn ? 0 : -1,
    records: values.map((v) => ({ value: Buffer.from(v) })),
  })
}
const marker = (offset: number, kind: 'COMMIT' | 'ABORT', producerId: bigint) =>
  encodeControlBatch({ marker: kind, producerId, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: BigInt(offset) })

function drain(data: FetchedData, max = 1000): string[] {
  const out: ConsumerRecord<unknown, unknown>[] = []
  while (data.take(max, make, out) > 0);
  return out.map((r) => `${r.offset}:${String(r.value)}`)
}

describe('FetchedData', () => {
  it('scans batch headers for the next fetch offset and ignores a partial batch at the end', () => {
    const whole = Buffer.concat([batch(0, ['a', 'b']), batch(2, ['c'])])
    const cut = Buffer.concat([whole, batch(3, ['d', 'e']).subarray(0, 30)])
    const data = new FetchedData('t', 0, cut, 0, null, true)
    expect(data.endOffset).toBe(3)
    expect(data.size).toBe(whole.length)
    expect(drain(data)).toEqual(['0:a', '1:b', '2:c'])
    expect(data.exhausted).toBe(true)
  })

  it('skips records before the fetch offset (a fetch from the middle of a batch) and delivers in slices', () => {
    const data = new FetchedData('t', 0, Buffer.concat([batch(10, ['a', 'b', 'c']), batch(13, ['d', 'e'])]), 11, null, true)
    const out: ConsumerRecord<unknown, unknown>[] = []
    expect(data.take(3, make, out)).toBe(3)
    expect(out.map((r) => r.offset)).toEqual([11n, 12n, 13n])
    expect(data.exhausted).toBe(false)
    expect(drain(data)).toEqual(['14:e'])
  })

  it('never delivers control records, and drops aborted transactions (read_committed)', () => {
    const bytes = Buffer.concat([
      batch(0, ['plain']),
      batch(1, ['aborted-1', 'aborted-2'], { producerId: 7n }),
      batch(3, ['committed'], { producerId: 8n }),
      marker(4, 'ABORT', 7n),
      marker(5, 'COMMIT', 8n),
      batch(6, ['later-from-7'], { producerId: 7n }),
      marker(7, 'COMMIT', 7n),
    ])
    const committed = new FetchedData('t', 0, bytes, 0, [{ producerId: 7n, firstOffset: 1n }], true)
    expect(drain(committed)).toEqual(['0:plain', '3:committed', '6:later-from-7'])
    expect(committed.endOffset).toBe(8)
    // read_uncommitted: no aborted list, so everything but the markers.
    const uncommitted = new FetchedData('t', 0, bytes, 0, null, true)
    expect(drain(uncommitted)).toEqual(['0:plain', '1:aborted-1', '2:aborted-2', '3:committed', '6:later-from-7'])
  })

  it('moves past data with nothing deliverable (only markers)', () => {
    const data = new FetchedData('t', 0, marker(5, 'COMMIT', 1n), 5, null, true)
    expect(data.endOffset).toBe(6)
    expect(drain(data)).toEqual([])
    expect(data.exhausted).toBe(true)
  })

  it('reports a corrupt batch as a RecordError at its offset, and again when retried', () => {
    const bad = batch(4, ['x'])
    bad[bad.length - 1] ^= 0xff
    const data = new FetchedData('t', 2, Buffer.concat([batch(3, ['ok']), bad]), 3, null, true)
    const out: ConsumerRecord<unknown, unknown>[] = []
    expect(data.take(1, make, out)).toBe(1)
    const error = (() => {
      try {
        data.take(10, make, out)
      } catch (err) {
        return err
      }
    })()
    expect(error).toBeInstanceOf(RecordError)
    expect(error).toMatchObject({ topic: 't', partition: 2, offset: 4n, code: 'CORRUPT_MESSAGE' })
    expect(() => data.take(10, make, out)).toThrow(RecordError)
  })

  it('reports a deserializer error at the failing record, which stays next', () => {
    let fail = true
    const strict = recordFactory<unknown, string>(undefined, {
      deserialize: (b) => {
        if (b?.toString() === 'bad' && fail) throw new Error('not JSON')
        return b!.toString()
      },
    })
    const data = new FetchedData('t', 0, batch(0, ['good', 'bad', 'fine']), 0, null, true)
    const out: ConsumerRecord<unknown, unknown>[] = []
    expect(() => data.take(10, strict, out)).toThrow(/offset 1: not JSON/)
    expect(out.map((r) => r.value)).toEqual(['good'])
    fail = false
    data.take(10, strict, out)
    expect(out.map((r) => r.value)).toEqual(['good', 'bad', 'fine'])
  })
})

import { describe, expect, it } from 'vitest'
import { DecodeError } from '../errors/kafka-error.js'
import { decodeControlRecord, encodeControlBatch } from './control.js'
import { decodeRecordBatch } from './decode.js'

describe('control batches', () => {
  it.each(['COMMIT', 'ABORT'] as const)('encodes and decodes a %s marker', (marker) => {
    const batch = decodeRecordBatch(encodeControlBatch({ marker, producerId: 4_000n, producerEpoch: 7, coordinatorEpoch: 12, baseOffset: 99n, timestamp: 1234 }))
    expect(batch).toMatchObject({ isControl: true, isTransactional: true, producerId: 4_000n, producerEpoch: 7, baseSequence: -1, baseOffset: 99n, recordCount: 1 })
    const record = batch.records[0]!
    expect(record.key!.toString('hex')).toBe(marker === 'COMMIT' ? '00000001' : '00000000')
    expect(record.value!.toString('hex')).toBe('00000000000c')
    expect(decodeControlRecord(record)).toEqual({ type: marker === 'COMMIT' ? 1 : 0, version: 0, marker, coordinatorEpoch: 12 })
  })

  it('passes other control types through and rejects short keys and values', () => {
    expect(decodeControlRecord({ key: Buffer.from('00000002', 'hex'), value: Buffer.alloc(20) })).toEqual({ type: 2, version: 0, marker: null, coordinatorEpoch: null })
    expect(() => decodeControlRecord({ key: Buffer.from('0000', 'hex'), value: null })).toThrow(DecodeError)
    expect(() => decodeControlRecord({ key: Buffer.from('00000001', 'hex'), value: Buffer.from('0000', 'hex') })).toThrow(DecodeError)
  })
})

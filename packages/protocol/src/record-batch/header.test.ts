import { describe, expect, it } from 'vitest'
import { DecodeError } from '../errors/kafka-error.js'
import { makeAttributes, parseAttributes } from './attributes.js'
import { CRC_OFFSET, RECORD_BATCH_HEADER_SIZE, readRecordBatchHeader } from './header.js'

/** A header laid out field by field with Buffer's own writers, independent of the reader's offsets. */
function handBuiltHeader(): Buffer {
  const b = Buffer.alloc(70)
  let o = 3 // start away from 0 to exercise the offset argument
  b.writeBigInt64BE(1234567890123n, o); o += 8
  b.writeInt32BE(49, o); o += 4
  b.writeInt32BE(7, o); o += 4
  b.writeInt8(2, o); o += 1
  b.writeUInt32BE(0xdeadbeef, o); o += 4
  b.writeInt16BE(0x33, o); o += 2
  b.writeInt32BE(4, o); o += 4
  b.writeBigInt64BE(1_700_000_000_000n, o); o += 8
  b.writeBigInt64BE(1_700_000_000_009n, o); o += 8
  b.writeBigInt64BE(-1n, o); o += 8
  b.writeInt16BE(-1, o); o += 2
  b.writeInt32BE(-1, o); o += 4
  b.writeInt32BE(5, o); o += 4
  expect(o - 3).toBe(RECORD_BATCH_HEADER_SIZE)
  return b
}

describe('readRecordBatchHeader', () => {
  it('reads every field at its documented position', () => {
    expect(readRecordBatchHeader(handBuiltHeader(), 3)).toEqual({
      baseOffset: 1234567890123n,
      batchLength: 49,
      partitionLeaderEpoch: 7,
      magic: 2,
      crc: 0xdeadbeef,
      attributes: 0x33,
      lastOffsetDelta: 4,
      baseTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_009n,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 5,
    })
    expect(handBuiltHeader().readUInt32BE(3 + CRC_OFFSET)).toBe(0xdeadbeef)
  })

  it('throws DecodeError when fewer than 61 bytes remain', () => {
    const b = handBuiltHeader()
    expect(() => readRecordBatchHeader(b.subarray(0, 63), 3)).toThrow(DecodeError)
    expect(() => readRecordBatchHeader(b, 10)).toThrow(/needs 61 bytes/)
    expect(() => readRecordBatchHeader(b, -1)).toThrow(DecodeError)
  })
})

describe('attributes', () => {
  it('packs and unpacks every flag', () => {
    expect(makeAttributes({ compression: 3, isTransactional: true, isControl: true })).toBe(0x33)
    expect(parseAttributes(0x33)).toEqual({ compression: 3, timestampType: 'CreateTime', isTransactional: true, isControl: true, hasDeleteHorizon: false })
    expect(parseAttributes(0x4c)).toEqual({ compression: 4, timestampType: 'LogAppendTime', isTransactional: false, isControl: false, hasDeleteHorizon: true })
    expect(makeAttributes({ timestampType: 'LogAppendTime', hasDeleteHorizon: true, compression: 4 })).toBe(0x4c)
    expect(makeAttributes({})).toBe(0)
  })
})

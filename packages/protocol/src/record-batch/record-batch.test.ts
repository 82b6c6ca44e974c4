import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type CompressionCodec, COMPRESSION_CODECS } from '../compression/codec.js'
import { compressionReady } from '../compression/compress.js'
import { DecodeError, EncodeError } from '../errors/kafka-error.js'
import type { TimestampType } from './attributes.js'
import { decodeRecordBatch, decodeRecordBatches } from './decode.js'
import { encodeRecordBatch, type EncodeRecordBatchOptions } from './encode.js'
import { CorruptRecordError } from './errors.js'
import { readRecordBatchHeader } from './header.js'
import type { RecordInput } from './types.js'
import { recordBatchCrc, verifyRecordBatch } from './verify.js'

await compressionReady()

const T0 = 1_700_000_000_000

function sampleRecords(n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 7 === 3 ? null : randomBytes(i % 3 === 0 ? 300 : 20),
    headers: i % 2 === 0 ? [] : [{ key: 'trace-ïd', value: Buffer.from(`t${i}`) }, { key: 'empty', value: null }, { key: 'trace-ïd', value: Buffer.alloc(0) }],
    timestamp: i % 4 === 0 ? BigInt(T0 + i * 3) : T0 + i * 3 - (i % 3 === 1 ? 5000 : 0),
  }))
}

function expectSameRecords(decoded: ReturnType<typeof decodeRecordBatch>, input: RecordInput[], baseOffset: number) {
  expect(decoded.records).toHaveLength(input.length)
  decoded.records.forEach((r, i) => {
    const src = input[i]!
    expect(r.offset).toBe(baseOffset + (src.offsetDelta ?? i))
    expect(r.timestamp).toBe(Number(src.timestamp))
    expect(r.key === null ? null : Buffer.from(r.key)).toEqual(src.key == null ? null : Buffer.from(src.key))
    expect(r.value === null ? null : Buffer.from(r.value)).toEqual(src.value === null ? null : Buffer.from(src.value))
    expect(r.headers.map((h) => [h.key, h.value && Buffer.from(h.value)])).toEqual((src.headers ?? []).map((h) => [h.key, h.value && Buffer.from(h.value)]))
  })
}

describe('a hand-checked batch', () => {
  // Two records laid out by hand from the protocol description; the CRC-32C was computed by kafkajs's
  // independent implementation.
  const expected = Buffer.from(
    [
      '0000000000000000', // baseOffset 0
      '00000048', // batchLength 72
      'ffffffff', // partitionLeaderEpoch -1
      '02', // magic
      'fde86579', // crc
      '0000', // attributes
      '00000001', // lastOffsetDelta 1
      '0000018bcfe56800', // baseTimestamp 1700000000000
      '0000018bcfe56805', // maxTimestamp +5
      'ffffffffffffffff', // producerId -1
      'ffff', // producerEpoch -1
      'ffffffff', // baseSequence -1
      '00000002', // recordCount 2
      '12 00 00 00 02 6b 04 7631 00', // len 9, attrs, tsDelta 0, offsetDelta 0, key "k", value "v1", 0 headers
      '18 00 0a 02 01 04 7632 02 02 68 02 78', // len 12, attrs, tsDelta 5, offsetDelta 1, null key, "v2", 1 header h=x
    ]
      .join('')
      .replace(/ /g, ''),
    'hex',
  )

  it('encodes byte for byte', () => {
    const batch = encodeRecordBatch({
      records: [
        { key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: T0 },
        { key: null, value: Buffer.from('v2'), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: T0 + 5 },
      ],
    })
    expect(batch.toString('hex')).toBe(expected.toString('hex'))
  })

  it('decodes to the same fields', () => {
    const batch = decodeRecordBatch(expected)
    expect(batch).toMatchObject({
      baseOffset: 0n,
      batchLength: 72,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: 0xfde86579,
      attributes: 0,
      lastOffsetDelta: 1,
      baseTimestamp: BigInt(T0),
      maxTimestamp: BigInt(T0 + 5),
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 2,
      compression: 'none',
      timestampType: 'CreateTime',
      isTransactional: false,
      isControl: false,
      sizeInBytes: 84,
    })
    expect(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString(), r.headers.map((h) => `${h.key}=${h.value}`)])).toEqual([
      [0, T0, 'k', 'v1', []],
      [1, T0 + 5, null, 'v2', ['h=x']],
    ])
  })
})

describe('round trips', () => {
  const flagSets: { timestampType: TimestampType; isTransactional: boolean; isControl: boolean; hasDeleteHorizon: boolean }[] = []
  for (const timestampType of ['CreateTime', 'LogAppendTime'] as const)
    for (const isTransactional of [false, true])
      for (const isControl of [false, true]) for (const hasDeleteHorizon of [false, true]) flagSets.push({ timestampType, isTransactional, isControl, hasDeleteHorizon })

  it.each(COMPRESSION_CODECS)('every flag combination with %s', (compression: CompressionCodec) => {
    const records = sampleRecords(40)
    for (const flags of flagSets) {
      const options: EncodeRecordBatchOptions = {
        ...flags,
        compression,
        records,
        baseOffset: 1_000_000_000_000n,
        partitionLeaderEpoch: 17,
        producerId: 123_456_789_012n,
        producerEpoch: 3,
        baseSequence: 77,
        ...(flags.timestampType === 'LogAppendTime' ? { maxTimestamp: T0 + 99_999 } : {}),
      }
      const encoded = encodeRecordBatch(options)
      verifyRecordBatch(encoded)
      const batch = decodeRecordBatch(encoded)
      expect(batch).toMatchObject({
        baseOffset: 1_000_000_000_000n,
        partitionLeaderEpoch: 17,
        producerId: 123_456_789_012n,
        producerEpoch: 3,
        baseSequence: 77,
        lastOffsetDelta: 39,
        recordCount: 40,
        baseTimestamp: BigInt(T0),
        compression,
        ...flags,
      })
      if (flags.timestampType === 'LogAppendTime') {
        expect(batch.maxTimestamp).toBe(BigInt(T0 + 99_999))
        expect(new Set(batch.records.map((r) => r.timestamp))).toEqual(new Set([T0 + 99_999]))
      } else {
        expect(batch.maxTimestamp).toBe(BigInt(Math.max(...records.map((r) => Number(r.timestamp)))))
        expectSameRecords(batch, records, 1_000_000_000_000)
      }
    }
  })

  it('keeps explicit offset deltas (gaps after compaction) and large timestamp deltas', () => {
    const records: RecordInput[] = [
      { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: T0, offsetDelta: 0 },
      { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: T0 + 2 ** 40, offsetDelta: 5 },
      { key: Buffer.from('c'), value: Buffer.from('3'), timestamp: T0 - 2 ** 35, offsetDelta: 70_000 },
    ]
    const batch = decodeRecordBatch(encodeRecordBatch({ records, baseOffset: 10n, lastOffsetDelta: 70_001 }))
    expect(batch.lastOffsetDelta).toBe(70_001)
    expectSameRecords(batch, records, 10)
  })

  it('encodes an empty batch and a batch of 100,000 tiny records', () => {
    const empty = decodeRecordBatch(encodeRecordBatch({ records: [] }))
    expect(empty.records).toEqual([])
    expect(empty.baseTimestamp).toBe(-1n)
    const many = Array.from({ length: 100_000 }, (_, i) => ({ value: Buffer.from([i & 0xff]), timestamp: T0 }))
    for (const compression of ['none', 'lz4'] as const) {
      const batch = decodeRecordBatch(encodeRecordBatch({ records: many, compression }))
      expect(batch.records).toHaveLength(100_000)
      expect(batch.records[99_999]!.offset).toBe(99_999)
      expect(batch.records[99_999]!.value![0]).toBe(99_999 & 0xff)
    }
  })

  it('fills in missing timestamps with the current time', () => {
    const before = Date.now()
    const batch = decodeRecordBatch(encodeRecordBatch({ records: [{ value: Buffer.from('x') }, { value: null, timestamp: 5 }] }))
    expect(batch.records[0]!.timestamp).toBeGreaterThanOrEqual(before)
    expect(batch.records[1]!.timestamp).toBe(5)
  })

  it('returns keys and values as views, not copies', () => {
    const encoded = encodeRecordBatch({ records: [{ key: Buffer.from('kk'), value: Buffer.from('vv'), timestamp: T0 }] })
    const r = decodeRecordBatch(encoded).records[0]!
    expect(r.value!.buffer).toBe(encoded.buffer)
    expect(Buffer.isBuffer(r.key)).toBe(true)
    expect(r.key!.toString()).toBe('kk')
    expect(r.value!.equals(Buffer.from('vv'))).toBe(true)
  })
})

describe('encoder validation', () => {
  it('refuses values that do not fit the wire format', () => {
    const one = [{ value: Buffer.from('x'), timestamp: T0 }]
    expect(() => encodeRecordBatch({ records: one, producerEpoch: 40_000 })).toThrow(EncodeError)
    expect(() => encodeRecordBatch({ records: one, baseSequence: 2 ** 31 })).toThrow(EncodeError)
    expect(() => encodeRecordBatch({ records: one, baseOffset: 2n ** 63n })).toThrow(EncodeError)
    expect(() => encodeRecordBatch({ records: [{ value: null, timestamp: 1.5 }] })).toThrow(EncodeError)
    expect(() => encodeRecordBatch({ records: [{ value: null, timestamp: 2n ** 60n }] })).toThrow(EncodeError)
    expect(() => encodeRecordBatch({ records: [{ value: null, offsetDelta: 1 }, { value: null, offsetDelta: 1 }] })).toThrow(/increasing/)
    expect(() => encodeRecordBatch({ records: one, compression: 'brotli' as CompressionCodec })).toThrow(EncodeError)
  })
})

describe('corruption', () => {
  const encoded = encodeRecordBatch({ records: sampleRecords(20), compression: 'none' })

  it('turns any single bit flip from the magic byte on into a DecodeError', () => {
    // baseOffset, batchLength and partitionLeaderEpoch lie outside the CRC by design (the broker
    // rewrites them); a changed length shows up as truncation or trailing bytes instead
    let corrupt = 0
    for (let byte = 16; byte < encoded.length; byte++) {
      for (const bit of [0, 3, 7]) {
        const copy = Buffer.from(encoded)
        copy[byte]! ^= 1 << bit
        let thrown: unknown
        try {
          decodeRecordBatch(copy)
        } catch (err) {
          thrown = err
        }
        expect(thrown, `flip at byte ${byte} bit ${bit}`).toBeInstanceOf(DecodeError)
        if (thrown instanceof CorruptRecordError) corrupt++
      }
    }
    // flips of the magic byte are reported as unsupported magic; all others as CRC mismatches
    expect(corrupt).toBe((encoded.length - 17) * 3)
  })

  it('reports a CRC mismatch with the code CORRUPT_MESSAGE', () => {
    const copy = Buffer.from(encoded)
    copy[copy.length - 1]! ^= 0xff
    expect(() => decodeRecordBatch(copy)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }))
    expect(() => verifyRecordBatch(copy)).toThrow(CorruptRecordError)
  })

  it('rejects malformed records even when the CRC is skipped or recomputed', () => {
    const copy = Buffer.from(encoded)
    copy[61] = 0x7f // first record's length: far longer than the batch
    expect(() => decodeRecordBatch(copy, { verifyCrc: false })).toThrow(/Malformed record/)
    const count = Buffer.from(encoded)
    count.writeInt32BE(1_000_000, 57)
    expect(() => decodeRecordBatch(count, { verifyCrc: false })).toThrow(/declares 1000000 records/)
    const fewer = Buffer.from(encoded)
    fewer.writeInt32BE(19, 57)
    expect(() => decodeRecordBatch(fewer, { verifyCrc: false })).toThrow(/bytes after its 19 records/)
  })

  it('rejects a record whose length disagrees with its fields, even with a valid CRC', () => {
    // one record (key "k", value "v1", no headers: 9 bytes of fields) declaring 10 bytes, then 8
    for (const body of ['14 00 00 00 02 6b 04 7631 00 ff', '10 00 00 00 02 6b 04 7631 00']) {
      const header = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: T0 }] }).subarray(0, 61)
      const batch = Buffer.concat([header, Buffer.from(body.replace(/ /g, ''), 'hex')])
      batch.writeInt32BE(batch.length - 12, 8)
      batch.writeUInt32BE(recordBatchCrc(batch), 17)
      expect(() => decodeRecordBatch(batch)).toThrow(/Malformed record/)
    }
  })

  it('rejects a truncated batch when decoding one batch', () => {
    for (const cut of [0, 5, 12, 40, 61, encoded.length - 1]) {
      expect(() => decodeRecordBatch(encoded.subarray(0, cut))).toThrow(DecodeError)
    }
  })

  it('rejects unknown magic and compression ids', () => {
    const magic = Buffer.from(encoded)
    magic[16] = 3
    expect(() => decodeRecordBatch(magic)).toThrow(/magic 3/)
    const codec = encodeRecordBatch({ records: sampleRecords(2), compression: 'none' })
    codec.writeInt16BE(6, 21)
    expect(() => decodeRecordBatch(codec, { verifyCrc: false })).toThrow(/compression codec id 6/)
  })

  it('limits decompression of a compressed batch', () => {
    const big = encodeRecordBatch({ records: [{ value: Buffer.alloc(2_000_000), timestamp: T0 }], compression: 'gzip' })
    expect(big.length).toBeLessThan(10_000)
    expect(() => decodeRecordBatch(big, { maxDecompressedSize: 1_000_000 })).toThrow(/limit/)
  })
})

describe('decodeRecordBatches', () => {
  const a = encodeRecordBatch({ records: sampleRecords(3), baseOffset: 0n })
  const b = encodeRecordBatch({ records: sampleRecords(4), baseOffset: 3n, compression: 'snappy' })
  const c = encodeRecordBatch({ records: sampleRecords(5), baseOffset: 7n, compression: 'zstd' })
  const blob = Buffer.concat([a, b, c])

  it('decodes every batch of a fetch response', () => {
    const batches = decodeRecordBatches(blob)
    expect(batches.map((x) => x.records.map((r) => r.offset))).toEqual([[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10, 11]])
  })

  it('skips a partial batch at the end, at every possible cut', () => {
    for (let cut = a.length + b.length; cut < blob.length; cut++) {
      expect(decodeRecordBatches(blob.subarray(0, cut)).map((x) => x.baseOffset)).toEqual([0n, 3n])
    }
    expect(decodeRecordBatches(Buffer.alloc(0))).toEqual([])
  })

  it('still reports corruption in complete batches', () => {
    const copy = Buffer.from(blob)
    copy[a.length + 30]! ^= 1
    expect(() => decodeRecordBatches(copy)).toThrow(CorruptRecordError)
  })

  it('reads the header of each batch for storage without decoding records', () => {
    const h = readRecordBatchHeader(blob, a.length)
    expect(h.baseOffset).toBe(3n)
    expect(h.recordCount).toBe(4)
  })
})

describe('fuzzing', () => {
  it.each(COMPRESSION_CODECS)('random damage to a %s batch (CRC recomputed) ends in success or a DecodeError, never another error', (compression) => {
    const original = encodeRecordBatch({ records: sampleRecords(12), compression })
    let seed = 12345
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    for (let round = 0; round < 400; round++) {
      const copy = Buffer.from(original)
      for (let k = 0, n = 1 + random(4); k < n; k++) copy[61 + random(copy.length - 61)] = random(256)
      if (round % 4 === 0) copy.writeInt32BE(random(40), 57) // record count
      copy.writeUInt32BE(recordBatchCrc(copy), 17)
      try {
        decodeRecordBatch(copy)
      } catch (err) {
        expect(err, `round ${round}`).toBeInstanceOf(DecodeError)
      }
    }
    expect(decodeRecordBatch(original).records).toHaveLength(12)
  })

  it('random bytes as a fetch blob end in success or a DecodeError', () => {
    for (let round = 0; round < 2_000; round++) {
      const blob = randomBytes(1 + (round % 200))
      if (round % 2 === 0 && blob.length > 16) blob[16] = round % 3 // a plausible magic byte
      if (round % 3 === 0 && blob.length > 12) blob.writeInt32BE(blob.length - 12, 8) // a plausible length
      try {
        decodeRecordBatches(blob, { verifyCrc: round % 5 !== 0 })
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError)
      }
    }
  })
})

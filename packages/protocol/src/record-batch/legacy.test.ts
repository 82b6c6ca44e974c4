import { describe, expect, it } from 'vitest'
import { crc32 } from '../checksum/crc32c.js'
import { type CompressionCodec, COMPRESSION_CODEC_IDS } from '../compression/codec.js'
import { compressSync } from '../compression/compress.js'
import { DecodeError } from '../errors/kafka-error.js'
import { decodeRecordBatch, decodeRecordBatches } from './decode.js'
import { encodeRecordBatch } from './encode.js'
import { CorruptRecordError } from './errors.js'

interface Message {
  offset: bigint
  magic: 0 | 1
  attributes?: number
  timestamp?: bigint
  key: Buffer | null
  value: Buffer | null
}

/** One MessageSet entry laid out field by field from the protocol description. */
function entry(m: Message): Buffer {
  const bytes = (b: Buffer | null) => {
    const len = Buffer.alloc(4)
    len.writeInt32BE(b === null ? -1 : b.length)
    return b === null ? len : Buffer.concat([len, b])
  }
  const head = Buffer.alloc(m.magic === 1 ? 10 : 2)
  head[0] = m.magic
  head[1] = m.attributes ?? 0
  if (m.magic === 1) head.writeBigInt64BE(m.timestamp ?? -1n, 2)
  const content = Buffer.concat([head, bytes(m.key), bytes(m.value)])
  const prefix = Buffer.alloc(16)
  prefix.writeBigInt64BE(m.offset, 0)
  prefix.writeInt32BE(content.length + 4, 8)
  prefix.writeUInt32BE(crc32(content), 12)
  return Buffer.concat([prefix, content])
}

function wrapper(magic: 0 | 1, codec: CompressionCodec, offset: bigint, inner: Message[], opts: { logAppendTime?: bigint } = {}): Buffer {
  const set = Buffer.concat(inner.map(entry))
  return entry({
    offset,
    magic,
    attributes: COMPRESSION_CODEC_IDS[codec] | (opts.logAppendTime !== undefined ? 0x08 : 0),
    timestamp: opts.logAppendTime ?? 0n,
    key: null,
    value: compressSync(codec, set),
  })
}

const b = (s: string) => Buffer.from(s)

describe('legacy MessageSet v0/v1', () => {
  it('decodes uncompressed v0 and v1 messages as one-record batches', () => {
    const blob = Buffer.concat([
      entry({ offset: 5n, magic: 0, key: b('k0'), value: b('v0') }),
      entry({ offset: 6n, magic: 1, timestamp: 1_500_000_000_000n, key: null, value: b('v1') }),
      entry({ offset: 7n, magic: 1, timestamp: 1_500_000_000_001n, key: b(''), value: null }),
    ])
    const batches = decodeRecordBatches(blob)
    expect(batches.map((x) => [x.magic, x.baseOffset, x.recordCount, x.compression, x.producerId])).toEqual([
      [0, 5n, 1, 'none', -1n],
      [1, 6n, 1, 'none', -1n],
      [1, 7n, 1, 'none', -1n],
    ])
    expect(batches.flatMap((x) => x.records).map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [5, -1, 'k0', 'v0'],
      [6, 1_500_000_000_000, null, 'v1'],
      [7, 1_500_000_000_001, '', null],
    ])
  })

  it.each(['gzip', 'snappy', 'lz4'] as const)('decodes a %s v1 wrapper with relative inner offsets', (codec) => {
    const inner: Message[] = [0, 1, 2].map((i) => ({ offset: BigInt(i), magic: 1, timestamp: BigInt(1_000 + i), key: b(`k${i}`), value: b(`v${i}`) }))
    const batch = decodeRecordBatch(wrapper(1, codec, 102n, inner))
    expect(batch.compression).toBe(codec)
    expect(batch.baseOffset).toBe(100n)
    expect(batch.lastOffsetDelta).toBe(2)
    expect(batch.maxTimestamp).toBe(1_002n)
    expect(batch.records.map((r) => [r.offset, r.timestamp, r.value!.toString()])).toEqual([
      [100, 1_000, 'v0'],
      [101, 1_001, 'v1'],
      [102, 1_002, 'v2'],
    ])
  })

  it('applies the wrapper timestamp to every inner message under LogAppendTime', () => {
    const inner: Message[] = [0, 1].map((i) => ({ offset: BigInt(i), magic: 1, timestamp: 5n, key: null, value: b(`v${i}`) }))
    const batch = decodeRecordBatch(wrapper(1, 'gzip', 11n, inner, { logAppendTime: 9_999n }))
    expect(batch.timestampType).toBe('LogAppendTime')
    expect(batch.records.map((r) => r.timestamp)).toEqual([9_999, 9_999])
  })

  it('keeps the absolute inner offsets of a v0 wrapper', () => {
    const inner: Message[] = [40n, 41n].map((o) => ({ offset: o, magic: 0, key: null, value: b(`at ${o}`) }))
    const batch = decodeRecordBatch(wrapper(0, 'snappy', 41n, inner))
    expect(batch.records.map((r) => [r.offset, r.value!.toString()])).toEqual([
      [40, 'at 40'],
      [41, 'at 41'],
    ])
  })

  it('decodes a fetch blob mixing legacy messages and v2 batches, skipping a partial tail', () => {
    const v2 = encodeRecordBatch({ baseOffset: 3n, records: [{ value: b('new'), timestamp: 7 }] })
    const blob = Buffer.concat([entry({ offset: 1n, magic: 0, key: null, value: b('old') }), wrapper(1, 'gzip', 2n, [{ offset: 0n, magic: 1, key: null, value: b('mid') }]), v2])
    const all = decodeRecordBatches(blob)
    expect(all.flatMap((x) => x.records.map((r) => `${r.offset}:${r.value}`))).toEqual(['1:old', '2:mid', '3:new'])
    expect(decodeRecordBatches(blob.subarray(0, blob.length - 1)).map((x) => x.magic)).toEqual([0, 1])
    expect(decodeRecordBatches(blob.subarray(0, 20)).length).toBe(0)
  })

  it('verifies the CRC-32 and the structure', () => {
    const good = entry({ offset: 1n, magic: 1, timestamp: 1n, key: b('k'), value: b('v') })
    for (let i = 16; i < good.length; i++) {
      const bad = Buffer.from(good)
      bad[i]! ^= 0x10
      expect(() => decodeRecordBatch(bad)).toThrow(DecodeError)
    }
    const crcBad = Buffer.from(good)
    crcBad[good.length - 1]! ^= 1
    expect(() => decodeRecordBatch(crcBad)).toThrow(CorruptRecordError)
    expect(decodeRecordBatch(crcBad, { verifyCrc: false }).records[0]!.value!.toString()).toBe('w')
    const shortKey = entry({ offset: 1n, magic: 0, key: b('key'), value: b('v') })
    shortKey.writeInt32BE(1_000, 18)
    expect(() => decodeRecordBatch(shortKey, { verifyCrc: false })).toThrow(/key length 1000/)
  })

  it('rejects nested compression, empty wrappers and zstd', () => {
    const nested = wrapper(1, 'gzip', 0n, [{ offset: 0n, magic: 1, attributes: 1, key: null, value: b('x') }])
    expect(() => decodeRecordBatch(nested)).toThrow(/another compressed/)
    const empty = entry({ offset: 0n, magic: 1, attributes: 1, key: null, value: compressSync('gzip', Buffer.alloc(0)) })
    expect(() => decodeRecordBatch(empty)).toThrow(/no messages/)
    const zstd = entry({ offset: 0n, magic: 1, attributes: 4, key: null, value: b('x') })
    expect(() => decodeRecordBatch(zstd)).toThrow(/zstd/)
  })
})

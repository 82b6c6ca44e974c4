/**
 * Cross-checks against kafkajs 2.2.4, an independent implementation of the same wire formats:
 * batches and legacy message sets written by kafkajs must decode identically with ours and with
 * kafkajs's own decoder, and batches we write must decode in kafkajs as they do in ours.
 *
 * kafkajs ships only a gzip codec, so gzip is the one check of an independent compressor. For snappy,
 * lz4 and zstd we register kafkajs codecs built on our own compressors: those cases check the batch
 * framing around the compressed bytes (record count outside, records inside, attributes, CRC), not the
 * compressors, which src/compression checks against the reference lz4/zstd tools and hand-built
 * xerial framing. The xerial case below mimics the Java client's snappy output.
 */
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compressionReady,
  compressSync,
  type CompressionCodec,
  decodeRecordBatch,
  decodeRecordBatches,
  decompressSync,
  type DecodedRecordBatch,
  encodeRecordBatch,
  type RecordInput,
} from '../src/index.js'

const require = createRequire(import.meta.url)

interface KafkajsEncoder {
  buffer: Buffer
}
interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}
interface KafkajsRecord {
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | null | (Buffer | null)[]>
}
interface KafkajsBatch {
  firstOffset: string
  firstTimestamp: string
  maxTimestamp: string
  partitionLeaderEpoch: number
  inTransaction: boolean
  isControlBatch: boolean
  lastOffsetDelta: number
  producerId: string
  producerEpoch: number
  firstSequence: number
  records: KafkajsRecord[]
}
interface KafkajsMessage {
  offset: string
  timestamp?: string
  key: Buffer | null
  value: Buffer | null
}

const Long = require('kafkajs/src/utils/long') as { fromValue(v: number | string): unknown }
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => unknown
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (opts: object) => Promise<KafkajsEncoder> }
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: object) => KafkajsEncoder
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<KafkajsBatch>
const MessageSet = require('kafkajs/src/protocol/messageSet') as (opts: object) => KafkajsEncoder
const decodeKafkajsMessageSet = require('kafkajs/src/protocol/messageSet/decoder') as (decoder: unknown, size: number) => Promise<KafkajsMessage[]>
const { CompressionTypes, CompressionCodecs } = require('kafkajs') as {
  CompressionTypes: Record<'None' | 'GZIP' | 'Snappy' | 'LZ4' | 'ZSTD', number>
  CompressionCodecs: Record<number, () => KafkajsCodec>
}

const KAFKAJS_TYPE: Record<CompressionCodec, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

/** A kafkajs codec on top of one of ours (for the codecs kafkajs does not ship). */
function codecOn(codec: CompressionCodec): KafkajsCodec {
  return {
    compress: async (encoder) => compressSync(codec, encoder.buffer),
    decompress: async (buffer) => decompressSync(codec, buffer),
  }
}

/** A snappy codec that writes the xerial framing of the Java client, 1 KiB per chunk. */
const xerialSnappy: KafkajsCodec = {
  compress: async (encoder) => {
    const parts: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])]
    for (let at = 0; at < encoder.buffer.length; at += 1024) {
      const raw = compressSync('snappy', encoder.buffer.subarray(at, at + 1024))
      const len = Buffer.alloc(4)
      len.writeInt32BE(raw.length)
      parts.push(len, raw)
    }
    return Buffer.concat(parts)
  },
  decompress: async (buffer) => decompressSync('snappy', buffer),
}

beforeAll(async () => {
  await compressionReady()
  CompressionCodecs[CompressionTypes.Snappy] = () => codecOn('snappy')
  CompressionCodecs[CompressionTypes.LZ4] = () => codecOn('lz4')
  CompressionCodecs[CompressionTypes.ZSTD] = () => codecOn('zstd')
})

const T0 = 1_700_000_000_000

interface Sample {
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | Buffer[]>
  timestamp: number
}

/** Records kafkajs can express: header values are never null, repeated keys become arrays. */
function samples(n: number): Sample[] {
  return Array.from({ length: n }, (_, i): Sample => {
    const headers: Sample['headers'] = {}
    if (i % 3 === 1) headers['content-type'] = Buffer.from('json')
    if (i % 3 === 2) {
      headers.trace = [Buffer.from('a'), Buffer.from(`b${i}`)]
      headers['ünïcode'] = Buffer.alloc(0)
    }
    return {
      key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 9 === 5 ? null : randomBytes(1 + ((i * 37) % 400)),
      headers,
      timestamp: T0 + i * 11 + (i % 5 === 2 ? 700_000 : 0),
    }
  })
}

function ourRecords(list: Sample[]): RecordInput[] {
  return list.map((s) => ({
    key: s.key,
    value: s.value,
    timestamp: s.timestamp,
    headers: Object.entries(s.headers).flatMap(([key, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ key, value }))),
  }))
}

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'))

function normaliseOurs(batch: DecodedRecordBatch) {
  return batch.records.map((r) => ({
    offset: String(r.offset),
    timestamp: String(r.timestamp),
    key: hex(r.key),
    value: hex(r.value),
    headers: r.headers.map((h) => [h.key, hex(h.value)]),
  }))
}

function normaliseKafkajs(batch: KafkajsBatch) {
  return batch.records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: hex(r.key),
    value: hex(r.value),
    headers: Object.entries(r.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => [k, hex(value)])),
  }))
}

async function kafkajsEncode(codec: CompressionCodec, list: Sample[], transactional: boolean): Promise<Buffer> {
  const firstTimestamp = list[0]!.timestamp
  const records = list.map((s, i) => Record({ offsetDelta: i, timestampDelta: s.timestamp - firstTimestamp, key: s.key, value: s.value, headers: s.headers }))
  const encoder = await RecordBatch({
    compression: KAFKAJS_TYPE[codec],
    firstOffset: Long.fromValue('4000000000'),
    firstTimestamp,
    maxTimestamp: Math.max(...list.map((s) => s.timestamp)),
    partitionLeaderEpoch: 5,
    lastOffsetDelta: list.length - 1,
    transactional,
    producerId: Long.fromValue('987654321'),
    producerEpoch: 2,
    firstSequence: 300,
    records,
  })
  return encoder.buffer
}

const codecs: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

describe.each(codecs)('RecordBatch v2 with %s', (codec) => {
  it('kafkajs-encoded batches decode identically with ours and with kafkajs', async () => {
    for (const transactional of [false, true]) {
      const list = samples(60)
      const bytes = await kafkajsEncode(codec, list, transactional)
      const ours = decodeRecordBatch(bytes) // also verifies kafkajs's CRC-32C
      const theirs = await decodeKafkajsBatch(new KafkajsDecoder(bytes))
      expect(normaliseOurs(ours)).toEqual(normaliseKafkajs(theirs))
      expect(ours).toMatchObject({
        baseOffset: BigInt(theirs.firstOffset),
        baseTimestamp: BigInt(theirs.firstTimestamp),
        maxTimestamp: BigInt(theirs.maxTimestamp),
        partitionLeaderEpoch: theirs.partitionLeaderEpoch,
        isTransactional: theirs.inTransaction,
        isControl: theirs.isControlBatch,
        lastOffsetDelta: theirs.lastOffsetDelta,
        producerId: BigInt(theirs.producerId),
        producerEpoch: theirs.producerEpoch,
        baseSequence: theirs.firstSequence,
        compression: codec,
        recordCount: 60,
      })
      expect(ours.records[1]!.offset).toBe(4_000_000_001)
    }
  })

  it('batches we encode decode in kafkajs as they do in ours', async () => {
    const list = samples(60)
    const bytes = encodeRecordBatch({
      compression: codec,
      records: ourRecords(list),
      baseOffset: 4_000_000_000n,
      partitionLeaderEpoch: 5,
      isTransactional: true,
      producerId: 987_654_321n,
      producerEpoch: 2,
      baseSequence: 300,
    })
    const theirs = await decodeKafkajsBatch(new KafkajsDecoder(bytes))
    expect(normaliseKafkajs(theirs)).toEqual(normaliseOurs(decodeRecordBatch(bytes)))
    expect(theirs).toMatchObject({ firstOffset: '4000000000', producerId: '987654321', producerEpoch: 2, firstSequence: 300, inTransaction: true, partitionLeaderEpoch: 5 })
    if (codec === 'none' || codec === 'gzip') {
      // Same inputs, same field values: the uncompressed bytes are identical, and for gzip
      // (the same zlib at the same level) so are the compressed ones.
      expect(bytes.toString('hex')).toBe((await kafkajsEncode(codec, list, true)).toString('hex'))
    }
  })
})

describe('snappy in the Java client’s xerial framing', () => {
  it('decodes a batch whose records are xerial-framed', async () => {
    CompressionCodecs[CompressionTypes.Snappy] = () => xerialSnappy
    try {
      const list = samples(80)
      const bytes = await kafkajsEncode('snappy', list, false)
      expect(bytes.subarray(61, 69).toString('latin1')).toBe('\x82SNAPPY\x00')
      expect(normaliseOurs(decodeRecordBatch(bytes))).toEqual(normaliseKafkajs(await decodeKafkajsBatch(new KafkajsDecoder(bytes))))
    } finally {
      CompressionCodecs[CompressionTypes.Snappy] = () => codecOn('snappy')
    }
  })
})

describe('a Fetch blob of kafkajs batches', () => {
  it('decodes every batch and skips the partial one at the end', async () => {
    const parts = await Promise.all(codecs.map((c, i) => kafkajsEncode(c, samples(10 + i), false)))
    const blob = Buffer.concat(parts)
    const cut = blob.subarray(0, blob.length - 7)
    expect(decodeRecordBatches(blob).map((b) => b.compression)).toEqual(codecs)
    expect(decodeRecordBatches(cut).map((b) => b.compression)).toEqual(codecs.slice(0, -1))
  })
})

describe('legacy MessageSet from kafkajs', () => {
  const entries = (n: number, withTimestamp: boolean) =>
    Array.from({ length: n }, (_, i) => ({ key: i % 3 === 0 ? null : Buffer.from(`k${i}`), value: Buffer.from(`value ${i}`), ...(withTimestamp ? { timestamp: T0 + i } : {}) }))

  /** Decodes a kafkajs message set with kafkajs (which resolves compressed wrappers itself). */
  async function theirs(bytes: Buffer) {
    const messages = await decodeKafkajsMessageSet(new KafkajsDecoder(bytes), bytes.length)
    return messages.map((m) => ({ offset: m.offset, key: hex(m.key), value: hex(m.value), ...(m.timestamp === undefined ? {} : { timestamp: m.timestamp }) }))
  }

  function ours(bytes: Buffer, magic: number) {
    return decodeRecordBatches(bytes).flatMap((b) =>
      b.records.map((r) => ({ offset: String(r.offset), key: hex(r.key), value: hex(r.value), ...(magic === 1 ? { timestamp: String(r.timestamp) } : {}) })),
    )
  }

  it.each([0, 1])('uncompressed magic %i', async (magic) => {
    const bytes = MessageSet({ messageVersion: magic, compression: CompressionTypes.None, entries: entries(5, magic === 1) }).buffer
    // kafkajs writes offset -1 for uncompressed producer sets; give them real offsets as a broker would
    let at = 0
    for (let i = 0; at < bytes.length; i++) {
      bytes.writeBigInt64BE(BigInt(1000 + i), at)
      at += 12 + bytes.readInt32BE(at + 8)
    }
    const mine = ours(bytes, magic)
    expect(mine).toEqual(await theirs(bytes))
    expect(mine.map((m) => m.offset)).toEqual(['1000', '1001', '1002', '1003', '1004'])
  })

  it.each([
    [0, 'gzip'],
    [1, 'gzip'],
    [1, 'snappy'],
    [1, 'lz4'],
  ] as const)('compressed wrapper, magic %i, %s', async (magic, codec) => {
    // built as kafkajs's Produce v0-v2 requests build them: an inner set compressed into a wrapper
    const type = KAFKAJS_TYPE[codec]
    const inner = MessageSet({ messageVersion: magic, compression: type, entries: entries(6, magic === 1) })
    const value = await CompressionCodecs[type]!().compress(inner)
    const bytes = MessageSet({ messageVersion: magic, compression: type, entries: [{ compression: type, timestamp: T0 + 5, key: null, value }] }).buffer
    // the broker gives the wrapper the absolute offset of its last inner message
    bytes.writeBigInt64BE(magic === 1 ? 7005n : 0n, 0)
    const mine = ours(bytes, magic)
    expect(mine).toEqual(await theirs(bytes))
    expect(mine.map((m) => m.offset)).toEqual(magic === 1 ? ['7000', '7001', '7002', '7003', '7004', '7005'] : ['0', '1', '2', '3', '4', '5'])
  })
})

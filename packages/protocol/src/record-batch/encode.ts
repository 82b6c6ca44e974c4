import { crc32c } from '../checksum/crc32c.js'
import { type CompressionCodec, COMPRESSION_CODEC_IDS } from '../compression/codec.js'
import { compressWithReserve } from '../compression/compress.js'
import { EncodeError } from '../errors/kafka-error.js'
import { makeAttributes, type TimestampType } from './attributes.js'
import { ATTRIBUTES_OFFSET, CRC_OFFSET, LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE } from './header.js'
import type { RecordInput } from './types.js'
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js'

/** What {@link encodeRecordBatch} needs: the records and the batch-level fields. */
export interface EncodeRecordBatchOptions {
  records: readonly RecordInput[]
  /** Default 0n: producers send 0 and the broker assigns the real offset. */
  baseOffset?: bigint
  /** Default -1 (unknown), as producers send. */
  partitionLeaderEpoch?: number
  /** Default 'none'. */
  compression?: CompressionCodec
  /** Compression level for gzip and zstd. */
  compressionLevel?: number
  /** Default 'CreateTime'. */
  timestampType?: TimestampType
  isTransactional?: boolean
  isControl?: boolean
  hasDeleteHorizon?: boolean
  /** Default -1n (not idempotent). */
  producerId?: bigint
  /** Default -1. */
  producerEpoch?: number
  /** Default -1. */
  baseSequence?: number
  /** Default: the first record's timestamp (as the Java client does); record deltas may be negative. */
  baseTimestamp?: bigint | number
  /** Default: the largest record timestamp (for LogAppendTime, the broker's append time goes here). */
  maxTimestamp?: bigint | number
  /** Default: the last record's offset delta (set it to keep the original after compaction). */
  lastOffsetDelta?: number
}

const MAX_DELTA = 2 ** 52

/** Per-record sizes from the sizing pass, reused across calls so encoding allocates no scratch arrays. */
let bodySizes = new Int32Array(1024)
let keyLengths = new Int32Array(256)
/** Where compressed batches lay out their records before compression; grows to the largest batch. */
let scratch = Buffer.allocUnsafe(64 * 1024)
const SCRATCH_KEEP = 8 * 1024 * 1024

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new EncodeError(`${name} must be an integer from ${min} to ${max}, got ${v}`)
  return v
}

function checkInt64(name: string, v: bigint): bigint {
  if (BigInt.asIntN(64, v) !== v) throw new EncodeError(`${name} ${v} does not fit in a signed 64-bit integer`)
  return v
}

function timestampOf(t: number | bigint): number {
  const n = typeof t === 'bigint' ? Number(t) : t
  if (!Number.isSafeInteger(n)) throw new EncodeError(`Record timestamp ${t} is not a whole number of milliseconds within ±2^53`)
  return n
}

/**
 * The bytes the records take, filling `bodySizes` (and `keyLengths` for header keys) as it goes.
 * Returns -1 for the caller to grow the arrays and call again when they are too small.
 */
function sizeRecords(records: readonly RecordInput[], baseTs: number, now: number): number {
  let total = 0
  let k = 0
  let previousDelta = -1
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    const offsetDelta = r.offsetDelta ?? i
    if (!(offsetDelta > previousDelta) || (offsetDelta | 0) !== offsetDelta) {
      throw new EncodeError(`Record ${i} has offsetDelta ${offsetDelta}: deltas must be increasing non-negative int32 values`)
    }
    previousDelta = offsetDelta
    const tsDelta = (r.timestamp === undefined ? now : timestampOf(r.timestamp)) - baseTs
    if (tsDelta > MAX_DELTA || tsDelta < -MAX_DELTA) throw new EncodeError(`Record ${i}'s timestamp is too far (${tsDelta} ms) from the batch's base timestamp`)
    const key = r.key
    const value = r.value
    let size = 1 + sizeOfVarlong(tsDelta) + sizeOfVarint(offsetDelta)
    size += key == null ? 1 : sizeOfVarint(key.length) + key.length
    size += value == null ? 1 : sizeOfVarint(value.length) + value.length
    const headers = r.headers
    if (headers === undefined || headers.length === 0) {
      size += 1
    } else {
      size += sizeOfVarint(headers.length)
      if (k + headers.length > keyLengths.length) return -1
      for (let h = 0; h < headers.length; h++) {
        const header = headers[h]!
        const keyLength = Buffer.byteLength(header.key, 'utf8')
        keyLengths[k++] = keyLength
        size += sizeOfVarint(keyLength) + keyLength
        const hv = header.value
        size += hv == null ? 1 : sizeOfVarint(hv.length) + hv.length
      }
    }
    bodySizes[i] = size
    total += sizeOfVarint(size) + size
  }
  return total
}

/** Writes the records sized by {@link sizeRecords} at `pos`; returns the end position. */
function writeRecords(buf: Buffer, pos: number, records: readonly RecordInput[], baseTs: number, now: number): number {
  let k = 0
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    pos = writeVarint(buf, pos, bodySizes[i]!)
    buf[pos++] = 0
    pos = writeVarlong(buf, pos, (r.timestamp === undefined ? now : timestampOf(r.timestamp)) - baseTs)
    pos = writeVarint(buf, pos, r.offsetDelta ?? i)
    const key = r.key
    if (key == null) buf[pos++] = 1
    else {
      pos = writeVarint(buf, pos, key.length)
      buf.set(key, pos)
      pos += key.length
    }
    const value = r.value
    if (value == null) buf[pos++] = 1
    else {
      pos = writeVarint(buf, pos, value.length)
      buf.set(value, pos)
      pos += value.length
    }
    const headers = r.headers
    if (headers === undefined || headers.length === 0) buf[pos++] = 0
    else {
      pos = writeVarint(buf, pos, headers.length)
      for (let h = 0; h < headers.length; h++) {
        const header = headers[h]!
        const keyLength = keyLengths[k++]!
        pos = writeVarint(buf, pos, keyLength)
        pos += buf.write(header.key, pos, keyLength, 'utf8')
        const hv = header.value
        if (hv == null) buf[pos++] = 1
        else {
          pos = writeVarint(buf, pos, hv.length)
          buf.set(hv, pos)
          pos += hv.length
        }
      }
    }
  }
  return pos
}

function headerCount(records: readonly RecordInput[]): number {
  let n = 0
  for (const r of records) n += r.headers?.length ?? 0
  return n
}

/**
 * Encodes a RecordBatch v2 (magic 2) into one Buffer: header, records (compressed if asked) and the
 * CRC-32C. Sizes are computed first so the records are written once, straight into their place.
 * For zstd, `await compressionReady()` once beforehand.
 *
 * @throws EncodeError for values that do not fit the wire format (bad offset deltas, timestamps
 *   beyond ±2^53, out-of-range producer fields).
 * @example
 * ```ts
 * const batch = encodeRecordBatch({
 *   compression: 'lz4',
 *   records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [], timestamp: Date.now() }],
 * })
 * ```
 */
export function encodeRecordBatch(options: EncodeRecordBatchOptions): Buffer {
  const records = options.records
  const count = records.length
  const now = Date.now()
  const first = records[0]
  const baseTs =
    options.baseTimestamp !== undefined
      ? timestampOf(options.baseTimestamp)
      : first === undefined
        ? -1
        : first.timestamp === undefined
          ? now
          : timestampOf(first.timestamp)
  let maxTs = -1
  for (let i = 0; i < count; i++) {
    const t = records[i]!.timestamp
    const ts = t === undefined ? now : typeof t === 'number' ? t : Number(t)
    if (ts > maxTs) maxTs = ts
  }
  if (options.maxTimestamp !== undefined) maxTs = timestampOf(options.maxTimestamp)
  const baseOffset = checkInt64('baseOffset', options.baseOffset ?? 0n)
  const producerId = checkInt64('producerId', options.producerId ?? -1n)
  const producerEpoch = checkInt('producerEpoch', options.producerEpoch ?? -1, -0x8000, 0x7fff)
  const baseSequence = checkInt('baseSequence', options.baseSequence ?? -1, -0x80000000, 0x7fffffff)
  const partitionLeaderEpoch = checkInt('partitionLeaderEpoch', options.partitionLeaderEpoch ?? -1, -0x80000000, 0x7fffffff)
  const codec = options.compression ?? 'none'
  const codecId = COMPRESSION_CODEC_IDS[codec]
  if (codecId === undefined) throw new EncodeError(`Unknown compression codec ${JSON.stringify(codec)}: use none, gzip, snappy, lz4 or zstd`)

  if (count > bodySizes.length) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2))
  let recordsSize = sizeRecords(records, baseTs, now)
  if (recordsSize < 0) {
    keyLengths = new Int32Array(Math.max(headerCount(records), keyLengths.length * 2))
    recordsSize = sizeRecords(records, baseTs, now)
  }

  let out: Buffer
  if (codec === 'none') {
    out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + recordsSize)
    writeRecords(out, RECORD_BATCH_HEADER_SIZE, records, baseTs, now)
  } else {
    let area = scratch
    if (recordsSize > area.length) {
      area = Buffer.allocUnsafe(Math.max(recordsSize, area.length * 2))
      if (area.length <= SCRATCH_KEEP) scratch = area
    }
    writeRecords(area, 0, records, baseTs, now)
    out = compressWithReserve(codec, area.subarray(0, recordsSize), { level: options.compressionLevel }, RECORD_BATCH_HEADER_SIZE)
  }

  const lastOffsetDelta = checkInt('lastOffsetDelta', options.lastOffsetDelta ?? (count === 0 ? 0 : (records[count - 1]!.offsetDelta ?? count - 1)), -0x80000000, 0x7fffffff)
  const attributes = makeAttributes({
    compression: codecId,
    timestampType: options.timestampType,
    isTransactional: options.isTransactional,
    isControl: options.isControl,
    hasDeleteHorizon: options.hasDeleteHorizon,
  })
  out.writeBigInt64BE(baseOffset, 0)
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8)
  out.writeInt32BE(partitionLeaderEpoch, 12)
  out[16] = 2
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET)
  out.writeInt32BE(lastOffsetDelta, 23)
  out.writeBigInt64BE(BigInt(baseTs), 27)
  out.writeBigInt64BE(BigInt(maxTs), 35)
  out.writeBigInt64BE(producerId, 43)
  out.writeInt16BE(producerEpoch, 51)
  out.writeInt32BE(baseSequence, 53)
  out.writeInt32BE(count, 57)
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
  return out
}

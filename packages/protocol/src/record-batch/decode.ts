import { crc32c } from '../checksum/crc32c.js'
import { compressionCodecFromId } from '../compression/codec.js'
import { decompressSync } from '../compression/compress.js'
import { DecodeError } from '../errors/kafka-error.js'
import { ATTRIBUTE_CONTROL, ATTRIBUTE_DELETE_HORIZON, ATTRIBUTE_LOG_APPEND_TIME, ATTRIBUTE_TRANSACTIONAL } from './attributes.js'
import { CorruptRecordError } from './errors.js'
import { ATTRIBUTES_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_HEADER_SIZE, readRecordBatchHeader } from './header.js'
import { decodeLegacyEntry } from './legacy.js'
import { RecordReader } from './record-reader.js'
import type { DecodedRecord, DecodedRecordBatch, DecodeRecordBatchOptions } from './types.js'

/** Offsets up to here leave room for any int32 delta while staying exact as numbers. */
const MAX_BASE_OFFSET = 2n ** 53n - 2n ** 32n
const MAX_TIMESTAMP = 2n ** 53n - 1n
/** The smallest possible record: length, attributes, deltas, null key and value, no headers. */
const MIN_RECORD_SIZE = 7

/** Decodes the magic-2 batch at `start`, whose `size` bytes (from baseOffset on) are all present. */
function decodeV2(buf: Buffer, start: number, size: number, options: DecodeRecordBatchOptions): DecodedRecordBatch {
  const header = readRecordBatchHeader(buf, start)
  const end = start + size
  if (options.verifyCrc !== false) {
    const actual = crc32c(buf.subarray(start + ATTRIBUTES_OFFSET, end))
    if (actual !== header.crc) {
      throw new CorruptRecordError(
        `Record batch at byte ${start} (base offset ${header.baseOffset}) is corrupt: CRC-32C 0x${actual.toString(16).padStart(8, '0')} does not match 0x${header.crc.toString(16).padStart(8, '0')}`,
      )
    }
  }
  const attributes = header.attributes
  const compression = compressionCodecFromId(attributes & 0x07)
  if (header.baseOffset > MAX_BASE_OFFSET || header.baseOffset < -MAX_BASE_OFFSET) {
    throw new DecodeError(`Record batch base offset ${header.baseOffset} is beyond what this decoder represents exactly (2^53 - 2^32)`)
  }
  const logAppendTime = (attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0
  const timestampField = logAppendTime ? header.maxTimestamp : header.baseTimestamp
  if (timestampField > MAX_TIMESTAMP || timestampField < -MAX_TIMESTAMP) {
    throw new DecodeError(`Record batch timestamp ${timestampField} is beyond ±2^53 ms`)
  }
  let body = buf.subarray(start + RECORD_BATCH_HEADER_SIZE, end)
  if (compression !== 'none') body = decompressSync(compression, body, options)
  const count = header.recordCount
  if (count < 0 || count > body.length / MIN_RECORD_SIZE) {
    throw new DecodeError(`Record batch at byte ${start} declares ${count} records, impossible in ${body.length} bytes`)
  }
  const reader = new RecordReader(body, body.length)
  const baseOffset = Number(header.baseOffset)
  const baseTimestamp = Number(header.baseTimestamp)
  const fixed = logAppendTime ? Number(header.maxTimestamp) : undefined
  const records: DecodedRecord[] = new Array(count)
  for (let i = 0; i < count; i++) records[i] = reader.record(baseOffset, baseTimestamp, fixed)
  if (reader.pos !== body.length) {
    throw new DecodeError(`Record batch at byte ${start} has ${body.length - reader.pos} bytes after its ${count} records`)
  }
  const batch = header as DecodedRecordBatch
  batch.compression = compression
  batch.timestampType = logAppendTime ? 'LogAppendTime' : 'CreateTime'
  batch.isTransactional = (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0
  batch.isControl = (attributes & ATTRIBUTE_CONTROL) !== 0
  batch.hasDeleteHorizon = (attributes & ATTRIBUTE_DELETE_HORIZON) !== 0
  batch.sizeInBytes = size
  batch.records = records
  return batch
}

/** The total size of the entry at `start` (batch or legacy message), or -1 when it is incomplete. */
function entrySize(buf: Buffer, start: number): number {
  if (buf.length - start < LOG_OVERHEAD) return -1
  const length = buf.readInt32BE(start + 8)
  if (length < 0) throw new DecodeError(`Negative record batch length ${length} at byte ${start}`)
  return start + LOG_OVERHEAD + length > buf.length ? -1 : LOG_OVERHEAD + length
}

function decodeEntry(buf: Buffer, start: number, size: number, options: DecodeRecordBatchOptions): DecodedRecordBatch {
  if (size < MAGIC_OFFSET + 1) throw new DecodeError(`Record batch at byte ${start} is too short (${size} bytes) to hold a magic byte`)
  const magic = buf[start + MAGIC_OFFSET]!
  if (magic === 2) {
    if (size < RECORD_BATCH_HEADER_SIZE) throw new DecodeError(`Record batch at byte ${start} is ${size} bytes, shorter than its ${RECORD_BATCH_HEADER_SIZE}-byte header`)
    return decodeV2(buf, start, size, options)
  }
  if (magic === 0 || magic === 1) return decodeLegacyEntry(buf, start, size, options)
  throw new DecodeError(`Unsupported record batch magic ${magic} at byte ${start}: this decoder reads 0, 1 and 2`)
}

/**
 * Decodes the record batch at the start of `buf` (a v2 RecordBatch, or a legacy v0/v1 message with
 * its inner messages if compressed), checking its CRC. Bytes after it are ignored; see `sizeInBytes`.
 *
 * @throws DecodeError when the batch is truncated or malformed; CorruptRecordError (code
 *   `CORRUPT_MESSAGE`) when its CRC does not match.
 * @example
 * ```ts
 * const batch = decodeRecordBatch(bytes)
 * for (const r of batch.records) console.log(r.offset, r.key?.toString(), r.value?.toString())
 * ```
 */
export function decodeRecordBatch(buf: Buffer, options: DecodeRecordBatchOptions = {}): DecodedRecordBatch {
  const size = entrySize(buf, 0)
  if (size < 0) {
    const declared = buf.length >= LOG_OVERHEAD ? `${LOG_OVERHEAD + buf.readInt32BE(8)} bytes` : 'a 12-byte prefix'
    throw new DecodeError(`Truncated record batch: it needs ${declared} but only ${buf.length} are present`)
  }
  return decodeEntry(buf, 0, size, options)
}

/**
 * Decodes every batch in a Fetch response's `records` bytes, which may mix v2 batches and legacy
 * v0/v1 messages. A partial batch at the end (the broker cuts responses at `maxBytes`) is skipped
 * silently, as Kafka clients do; anything else malformed is an error.
 *
 * @example
 * ```ts
 * for (const batch of decodeRecordBatches(partition.records)) {
 *   if (batch.isControl) continue
 *   for (const r of batch.records) handle(r)
 * }
 * ```
 */
export function decodeRecordBatches(buf: Buffer, options: DecodeRecordBatchOptions = {}): DecodedRecordBatch[] {
  const batches: DecodedRecordBatch[] = []
  let start = 0
  for (;;) {
    const size = entrySize(buf, start)
    if (size < 0) return batches
    batches.push(decodeEntry(buf, start, size, options))
    start += size
  }
}

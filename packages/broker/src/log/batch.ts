import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_HEADER_SIZE,
  RECORD_COUNT_OFFSET,
  crc32c,
} from '@tributary/protocol'

/**
 * Field access on stored RecordBatch v2 bytes with int64 values as JavaScript numbers: offsets and
 * timestamps stay far below 2^53, and reading them as numbers keeps the read and append paths free
 * of bigint allocations.
 */

/** The highest compression codec id Kafka defines (zstd). */
export const MAX_COMPRESSION_ID = 4

/** Where a batch sits and what the log needs of its header. */
export interface BatchSummary {
  /** Byte position of the batch in the buffer or file it was read from. */
  position: number
  /** Whole batch size in bytes (`batchLength + 12`). */
  size: number
  baseOffset: number
  /** `baseOffset + lastOffsetDelta`. */
  lastOffset: number
  maxTimestamp: number
  attributes: number
}

/**
 * The largest number below 2^63. An int64 near its maximum (a client's timestamp 2^63-1 meaning
 * "never") rounds up to 2^63 as a number, which no longer fits an int64 when written back (to an
 * index, a snapshot); {@link readInt64} answers this instead.
 */
const INT64_MAX_NUMBER = 9_223_372_036_854_774_784

/** Reads a big-endian int64 as a number (exact below 2^53; saturated below 2^63 above it). */
export function readInt64(buf: Uint8Array, at: number): number {
  const b = buf as Buffer
  const n = b.readInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4)
  return n >= 2 ** 63 ? INT64_MAX_NUMBER : n
}

/** Writes a number as a big-endian int64. */
export function writeInt64(buf: Uint8Array, at: number, value: number): void {
  ;(buf as Buffer).writeBigInt64BE(BigInt(value), at)
}

/** The summary of the batch at `at`; the caller has checked that 61 header bytes are present. */
export function summarize(buf: Buffer, at: number, position = at): BatchSummary {
  const baseOffset = readInt64(buf, at + BASE_OFFSET_OFFSET)
  return {
    position,
    size: buf.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET),
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP_OFFSET),
    attributes: buf.readInt16BE(at + ATTRIBUTES_OFFSET),
  }
}

/** The CRC-32C the batch at `at` (whole batch present) should carry. */
export function computeCrc(buf: Buffer, at: number, size: number): number {
  return crc32c(buf.subarray(at + ATTRIBUTES_OFFSET, at + size))
}

/**
 * Why the stored batch at `at` is not a valid v2 batch, or undefined when it is. `available` is how
 * many bytes from `at` are present. Used by recovery, which trusts nothing it reads back.
 */
export function storedBatchProblem(buf: Buffer, at: number, available: number): string | undefined {
  if (available < RECORD_BATCH_HEADER_SIZE) return `only ${available} bytes remain, less than a batch header`
  const size = buf.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
  if (size < RECORD_BATCH_HEADER_SIZE) return `batch length ${size - LOG_OVERHEAD} is impossible`
  if (size > available) return `batch declares ${size} bytes but only ${available} remain`
  const magic = buf.readInt8(at + MAGIC_OFFSET)
  if (magic !== 2) return `magic byte is ${magic}, not 2`
  if (buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) < 0) return 'last offset delta is negative'
  const crc = computeCrc(buf, at, size)
  if (crc !== buf.readUInt32BE(at + CRC_OFFSET)) return 'CRC-32C does not match'
  return undefined
}

/** How the broker stamps a batch it accepts. */
export interface StampOptions {
  baseOffset: number
  partitionLeaderEpoch: number
  timestampType: 'CreateTime' | 'LogAppendTime'
  /** The append time, used with `LogAppendTime`. */
  now: number
}

/**
 * Assigns offsets to an accepted batch in place: patches `baseOffset` and `partitionLeaderEpoch`
 * (neither is covered by the CRC). With `LogAppendTime` it also sets the timestamp-type attribute
 * and `maxTimestamp` to `now` and recomputes the CRC, as Kafka does; a CreateTime topic clears a
 * LogAppendTime bit a client may have set. Returns the batch's new last offset.
 */
export function stampBatch(buf: Buffer, at: number, size: number, o: StampOptions): number {
  writeInt64(buf, at + BASE_OFFSET_OFFSET, o.baseOffset)
  buf.writeInt32BE(o.partitionLeaderEpoch, at + PARTITION_LEADER_EPOCH_OFFSET)
  const attributes = buf.readInt16BE(at + ATTRIBUTES_OFFSET)
  const hasAppendTime = (attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0
  if (o.timestampType === 'LogAppendTime') {
    if (!hasAppendTime || readInt64(buf, at + MAX_TIMESTAMP_OFFSET) !== o.now) {
      buf.writeInt16BE(attributes | ATTRIBUTE_LOG_APPEND_TIME, at + ATTRIBUTES_OFFSET)
      writeInt64(buf, at + MAX_TIMESTAMP_OFFSET, o.now)
      buf.writeUInt32BE(computeCrc(buf, at, size), at + CRC_OFFSET)
    }
  } else if (hasAppendTime) {
    buf.writeInt16BE(attributes & ~ATTRIBUTE_LOG_APPEND_TIME, at + ATTRIBUTES_OFFSET)
    buf.writeUInt32BE(computeCrc(buf, at, size), at + CRC_OFFSET)
  }
  return o.baseOffset + buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET)
}

/** Field readers the validator and cleaner share. */
export const batchFields = {
  magic: (buf: Buffer, at: number) => buf.readInt8(at + MAGIC_OFFSET),
  batchLength: (buf: Buffer, at: number) => buf.readInt32BE(at + BATCH_LENGTH_OFFSET),
  attributes: (buf: Buffer, at: number) => buf.readInt16BE(at + ATTRIBUTES_OFFSET),
  compression: (buf: Buffer, at: number) => buf.readInt16BE(at + ATTRIBUTES_OFFSET) & ATTRIBUTE_COMPRESSION_MASK,
  isControl: (buf: Buffer, at: number) => (buf.readInt16BE(at + ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) !== 0,
  lastOffsetDelta: (buf: Buffer, at: number) => buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET),
  baseTimestamp: (buf: Buffer, at: number) => readInt64(buf, at + BASE_TIMESTAMP_OFFSET),
  maxTimestamp: (buf: Buffer, at: number) => readInt64(buf, at + MAX_TIMESTAMP_OFFSET),
  producerId: (buf: Buffer, at: number) => readInt64(buf, at + PRODUCER_ID_OFFSET),
  baseSequence: (buf: Buffer, at: number) => buf.readInt32BE(at + BASE_SEQUENCE_OFFSET),
  recordCount: (buf: Buffer, at: number) => buf.readInt32BE(at + RECORD_COUNT_OFFSET),
  baseOffset: (buf: Buffer, at: number) => readInt64(buf, at + BASE_OFFSET_OFFSET),
}

import { DecodeError } from '../errors/kafka-error.js'

/**
 * The fixed 61-byte header of a RecordBatch v2 (magic 2), and where each field sits in it.
 *
 * ```
 *  0 baseOffset int64        27 baseTimestamp int64
 *  8 batchLength int32       35 maxTimestamp int64
 * 12 partitionLeaderEpoch    43 producerId int64
 * 16 magic int8              51 producerEpoch int16
 * 17 crc uint32              53 baseSequence int32
 * 21 attributes int16        57 recordCount int32
 * 23 lastOffsetDelta int32   61 records...
 * ```
 *
 * `batchLength` counts the bytes after itself (the whole batch is `batchLength + 12` bytes), and the
 * CRC-32C covers everything from `attributes` to the end of the batch.
 */
export const RECORD_BATCH_HEADER_SIZE = 61

export const BASE_OFFSET_OFFSET = 0
export const BATCH_LENGTH_OFFSET = 8
export const PARTITION_LEADER_EPOCH_OFFSET = 12
export const MAGIC_OFFSET = 16
export const CRC_OFFSET = 17
export const ATTRIBUTES_OFFSET = 21
export const LAST_OFFSET_DELTA_OFFSET = 23
export const BASE_TIMESTAMP_OFFSET = 27
export const MAX_TIMESTAMP_OFFSET = 35
export const PRODUCER_ID_OFFSET = 43
export const PRODUCER_EPOCH_OFFSET = 51
export const BASE_SEQUENCE_OFFSET = 53
export const RECORD_COUNT_OFFSET = 57

/** Bytes before the `batchLength` count starts (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12

/** The header fields of a RecordBatch v2. int64 fields are bigint; `crc` is unsigned. */
export interface RecordBatchHeader {
  baseOffset: bigint
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

/**
 * Reads the 61-byte header of the RecordBatch starting at `offset`, without checking the CRC or the
 * magic byte (check `magic === 2` before trusting the other fields; see `verifyRecordBatch` for the
 * full check).
 *
 * @throws DecodeError when fewer than 61 bytes remain.
 * @example
 * ```ts
 * const h = readRecordBatchHeader(segment, position)
 * const next = position + 12 + h.batchLength
 * ```
 */
export function readRecordBatchHeader(buf: Buffer, offset = 0): RecordBatchHeader {
  if (!(offset >= 0) || buf.length - offset < RECORD_BATCH_HEADER_SIZE) {
    throw new DecodeError(
      `Truncated record batch: the header needs ${RECORD_BATCH_HEADER_SIZE} bytes at offset ${offset} but only ${Math.max(0, buf.length - offset)} remain`,
    )
  }
  return {
    baseOffset: buf.readBigInt64BE(offset),
    batchLength: buf.readInt32BE(offset + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(offset + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buf.readInt8(offset + MAGIC_OFFSET),
    crc: buf.readUInt32BE(offset + CRC_OFFSET),
    attributes: buf.readInt16BE(offset + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(offset + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: buf.readBigInt64BE(offset + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: buf.readBigInt64BE(offset + MAX_TIMESTAMP_OFFSET),
    producerId: buf.readBigInt64BE(offset + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(offset + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(offset + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(offset + RECORD_COUNT_OFFSET),
  }
}

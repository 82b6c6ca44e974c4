import type { CompressionCodec } from '../compression/codec.js'
import type { TimestampType } from './attributes.js'
import type { RecordBatchHeader } from './header.js'

/** A record header: a UTF-8 key and a nullable value. Keys may repeat. */
export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A record to encode. */
export interface RecordInput {
  key?: Uint8Array | null
  value: Uint8Array | null
  headers?: readonly { key: string; value: Uint8Array | null }[]
  /** Milliseconds since the epoch (number or bigint); default: the batch's base timestamp, else now. */
  timestamp?: number | bigint
  /** Position within the batch; default: the record's index. Must increase through the batch. */
  offsetDelta?: number
}

/**
 * A decoded record. `offset` and `timestamp` are absolute and plain numbers: they are exact, because
 * the decoder refuses (with a DecodeError) any batch whose offsets or timestamps lie beyond
 * ±(2^53 - 1), which no real log reaches. `key`, `value` and header values are views into the
 * decoded bytes, not copies.
 */
export interface DecodedRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  /** Shared and frozen when empty: copy before modifying. */
  headers: readonly RecordHeader[]
}

/**
 * A decoded batch: the header fields (int64 fields as bigint) plus the attribute flags spelled out and
 * the records. Legacy v0/v1 messages are presented the same way, one batch per top-level message,
 * with `magic` 0 or 1, no producer fields (-1) and `partitionLeaderEpoch` -1.
 */
export interface DecodedRecordBatch extends RecordBatchHeader {
  compression: CompressionCodec
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  /** Whether `baseTimestamp` is a delete horizon set by log compaction. */
  hasDeleteHorizon: boolean
  /** Bytes the batch occupies in the input (its `batchLength` plus the 12 bytes before it). */
  sizeInBytes: number
  records: DecodedRecord[]
}

/** Options for decoding batches. */
export interface DecodeRecordBatchOptions {
  /** Check each batch's CRC (CRC-32C for v2, CRC-32 for v0/v1). Default true. */
  verifyCrc?: boolean
  /** The largest decompressed batch accepted; see `DecompressOptions`. */
  maxDecompressedSize?: number
}

/** The empty header list every record without headers shares. */
export const NO_HEADERS: readonly RecordHeader[] = Object.freeze([])

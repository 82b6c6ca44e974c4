import { crc32c } from '../checksum/crc32c.js'
import { DecodeError } from '../errors/kafka-error.js'
import { CorruptRecordError } from './errors.js'
import { ATTRIBUTES_OFFSET, LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE, readRecordBatchHeader, type RecordBatchHeader } from './header.js'

/**
 * The CRC-32C a RecordBatch v2 should carry: over its bytes from `attributes` to the end. The batch
 * length is taken from the header; the bytes must be present.
 *
 * @example
 * ```ts
 * batch.writeUInt32BE(recordBatchCrc(batch), CRC_OFFSET) // after patching a field the CRC covers
 * ```
 */
export function recordBatchCrc(buf: Buffer, offset = 0): number {
  const end = offset + LOG_OVERHEAD + buf.readInt32BE(offset + 8)
  if (end > buf.length) throw new DecodeError(`Truncated record batch at offset ${offset}: it needs ${end - offset} bytes but only ${buf.length - offset} remain`)
  return crc32c(buf.subarray(offset + ATTRIBUTES_OFFSET, end))
}

/**
 * Checks the RecordBatch v2 at `offset` without decoding its records: the header is complete, the
 * magic byte is 2, the length is sane and all its bytes are present, and the CRC-32C matches.
 * Returns the header. This is what a broker does before appending a produced batch.
 *
 * @throws CorruptRecordError (code `CORRUPT_MESSAGE`) when the CRC does not match.
 * @throws DecodeError when the batch is truncated, has a bad length or is not magic 2.
 * @example
 * ```ts
 * const header = verifyRecordBatch(produced)
 * produced.writeBigInt64BE(nextOffset, BASE_OFFSET_OFFSET) // the CRC does not cover baseOffset
 * ```
 */
export function verifyRecordBatch(buf: Buffer, offset = 0): RecordBatchHeader {
  const header = readRecordBatchHeader(buf, offset)
  if (header.magic !== 2) throw new DecodeError(`Unsupported record batch magic ${header.magic} at offset ${offset}: expected 2`)
  if (header.batchLength < RECORD_BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new DecodeError(`Invalid record batch length ${header.batchLength} at offset ${offset}: at least ${RECORD_BATCH_HEADER_SIZE - LOG_OVERHEAD} needed`)
  }
  const end = offset + LOG_OVERHEAD + header.batchLength
  if (end > buf.length) {
    throw new DecodeError(`Truncated record batch at offset ${offset}: it declares ${end - offset} bytes but only ${buf.length - offset} remain`)
  }
  const actual = crc32c(buf.subarray(offset + ATTRIBUTES_OFFSET, end))
  if (actual !== header.crc) {
    throw new CorruptRecordError(
      `Record batch at offset ${offset} is corrupt: CRC-32C is 0x${actual.toString(16).padStart(8, '0')} but the header says 0x${header.crc.toString(16).padStart(8, '0')}`,
    )
  }
  return header
}

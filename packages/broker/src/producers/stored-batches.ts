import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE, decodeControlRecord, decodeRecordBatch, isControlBatch, readRecordBatchHeader, type RecordBatchHeader } from '@tributary/protocol'
import type { PartitionLog } from '../log/partition-log.js'

/** A transaction marker as read from a control batch. */
export interface TxnMarker {
  commit: boolean
  coordinatorEpoch: number
}

/** A stored batch as producer state sees it. */
export interface StoredBatch {
  header: RecordBatchHeader
  baseOffset: number
  lastOffset: number
  /** The transaction marker of a control batch; null for data batches and other control records. */
  marker: TxnMarker | null
}

const READ_CHUNK = 1 << 20

/**
 * The transaction marker held by the control batch `bytes` (one whole batch), or null when it is
 * not a control batch or holds another control record type.
 */
export function markerOf(bytes: Buffer): TxnMarker | null {
  if (bytes.length < RECORD_BATCH_HEADER_SIZE || !isControlBatch(bytes.readInt16BE(21))) return null
  try {
    const record = decodeRecordBatch(bytes, { verifyCrc: false }).records[0]
    if (!record) return null
    const control = decodeControlRecord(record)
    return control.marker === null ? null : { commit: control.marker === 'COMMIT', coordinatorEpoch: control.coordinatorEpoch ?? 0 }
  } catch {
    return null
  }
}

/**
 * Reads the log from `from` to its end, calling `visit` for every batch that ends at or after
 * `from`, in offset order. Only headers are decoded, plus the record of control batches. Returns
 * how many batches were visited.
 *
 * @throws KafkaError from the log when reading fails.
 */
export function replayLog(log: PartitionLog, from: number, visit: (batch: StoredBatch) => void): number {
  let offset = Math.max(from, log.logStartOffset)
  let visited = 0
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, READ_CHUNK)
    if (records.length === 0) break
    let pos = 0
    let advanced = false
    while (records.length - pos >= RECORD_BATCH_HEADER_SIZE) {
      const header = readRecordBatchHeader(records, pos)
      const size = header.batchLength + LOG_OVERHEAD
      if (size < RECORD_BATCH_HEADER_SIZE || pos + size > records.length) break
      const baseOffset = Number(header.baseOffset)
      const lastOffset = baseOffset + header.lastOffsetDelta
      if (lastOffset >= offset) {
        const marker = isControlBatch(header.attributes) ? markerOf(records.subarray(pos, pos + size)) : null
        visit({ header, baseOffset, lastOffset, marker })
        visited++
        offset = lastOffset + 1
        advanced = true
      }
      pos += size
    }
    if (!advanced) break
  }
  return visited
}

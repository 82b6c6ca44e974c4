import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE } from '@tributary/protocol'
import { storedBatchProblem, summarize, type BatchSummary } from './batch.js'
import type { StoredFile } from './storage.js'

const WINDOW = 1024 * 1024
const MAX_RELATIVE_OFFSET = 0x7fff_ffff

/** Where the valid batches of a segment's log file end. */
export interface ValidPrefix {
  /** Bytes from the start of the file that hold valid batches only. */
  validBytes: number
  /** The offset after the last valid batch (`baseOffset` when there is none). */
  nextOffset: number
  /** Why the batch at `validBytes` is not valid; undefined when the whole file is. */
  reason?: string
}

/**
 * Reads a segment's log file from its start and checks every batch as recovery must, trusting
 * nothing: a complete header, a sane length, magic 2, the CRC-32C, offsets increasing from
 * `baseOffset`, below `endOffset` (the next segment's base) and within the segment's 2^31 relative
 * range. Calls `onBatch` for each valid batch, in order, and stops at the first invalid one.
 * Reads in 1 MiB windows (a larger batch is read whole, bounded by the file's real size) and
 * changes nothing.
 *
 * @example
 * ```ts
 * const { validBytes, reason } = scanValidPrefix(segment.log, segment.baseOffset)
 * if (reason) console.log(`corrupt at ${validBytes}: ${reason}`)
 * ```
 */
export function scanValidPrefix(log: StoredFile, baseOffset: number, endOffset = Number.MAX_SAFE_INTEGER, onBatch?: (batch: BatchSummary) => void): ValidPrefix {
  const size = log.size()
  let window = Buffer.allocUnsafe(Math.min(WINDOW, Math.max(size, RECORD_BATCH_HEADER_SIZE)))
  let windowStart = 0
  let windowLength = 0
  let pos = 0
  let nextOffset = baseOffset
  let reason: string | undefined
  while (pos < size) {
    const remaining = size - pos
    if (pos + Math.min(remaining, RECORD_BATCH_HEADER_SIZE) > windowStart + windowLength) {
      windowStart = pos
      windowLength = log.readInto(window, 0, Math.min(window.length, remaining), pos)
    }
    let at = pos - windowStart
    let available = windowStart + windowLength - pos
    if (available >= LOG_OVERHEAD) {
      const declared = window.readInt32BE(at + 8) + LOG_OVERHEAD
      if (declared >= RECORD_BATCH_HEADER_SIZE && declared <= remaining && declared > available) {
        // The batch runs past the window: read it whole (bounded by the bytes really in the file).
        if (declared > window.length) window = Buffer.allocUnsafe(declared)
        windowStart = pos
        windowLength = log.readInto(window, 0, Math.min(window.length, remaining), pos)
        at = 0
        available = windowLength
      }
    }
    reason = storedBatchProblem(window, at, available)
    if (reason) break
    const batch = summarize(window, at, pos)
    if (batch.baseOffset < nextOffset) {
      reason = `batch offsets ${batch.baseOffset}-${batch.lastOffset} do not follow ${nextOffset - 1}`
      break
    }
    if (batch.lastOffset - baseOffset > MAX_RELATIVE_OFFSET || batch.lastOffset >= endOffset) {
      reason = `offset ${batch.lastOffset} lies outside the segment`
      break
    }
    onBatch?.(batch)
    nextOffset = batch.lastOffset + 1
    pos += batch.size
  }
  return reason === undefined ? { validBytes: pos, nextOffset } : { validBytes: pos, nextOffset, reason }
}

import { ATTRIBUTE_LOG_APPEND_TIME, RECORD_BATCH_HEADER_SIZE } from '@tributary/protocol'
import { batchFields as f, type BatchSummary } from './batch.js'
import { BatchScanner } from './batch-scan.js'
import { forEachRecord, recordsSection } from './records.js'
import type { LogSegment } from './segment.js'
import { readBytes } from './storage.js'

/** An offset with the timestamp of the record there (-1 when the answer has no timestamp). */
export interface OffsetAndTimestamp {
  offset: number
  timestamp: number
}

/**
 * The first record at or after `minOffset` whose timestamp is at least `target`, as Kafka's
 * ListOffsets by timestamp: the first segment whose largest timestamp reaches `target`, then the
 * time index, the offset index and a scan of batches from there, then the records of the first batch
 * whose maximum timestamp reaches `target`. Undefined when no record qualifies.
 */
export function findOffsetByTimestamp(segments: readonly LogSegment[], target: number, minOffset: number): OffsetAndTimestamp | undefined {
  for (const seg of segments) {
    if (seg.maxTimestamp < target || seg.nextOffset <= minOffset) continue
    const fromTime = seg.timeIndex.lookup(target).offset
    const scan = new BatchScanner(seg.log, seg.offsetIndex.lookup(Math.max(fromTime, minOffset)).position)
    for (let b = scan.next(); b; b = scan.next()) {
      if (b.maxTimestamp < target || b.lastOffset < minOffset) continue
      const hit = firstRecordAtOrAfter(seg, b, target, minOffset)
      if (hit) return hit
    }
  }
  return undefined
}

/**
 * The record with the largest timestamp (the first one, when several share it), for ListOffsets'
 * MAX_TIMESTAMP; undefined for an empty log.
 */
export function findMaxTimestamp(segments: readonly LogSegment[], minOffset: number): OffsetAndTimestamp | undefined {
  let best: LogSegment | undefined
  for (const seg of segments) if (seg.maxTimestamp >= 0 && seg.nextOffset > minOffset && (!best || seg.maxTimestamp > best.maxTimestamp)) best = seg
  if (!best) return undefined
  const batch = best.findBatch(Math.max(best.offsetOfMaxTimestamp, minOffset))
  return batch ? firstRecordAtOrAfter(best, batch, best.maxTimestamp, minOffset) : undefined
}

/**
 * The first record of a batch at or after `minOffset` with a timestamp of at least `target`. With
 * LogAppendTime every record carries the batch's timestamp. A batch whose records cannot be read
 * (corrupt compressed data) answers with its first eligible offset and its maximum timestamp.
 */
function firstRecordAtOrAfter(seg: LogSegment, b: BatchSummary, target: number, minOffset: number): OffsetAndTimestamp | undefined {
  if (b.attributes & ATTRIBUTE_LOG_APPEND_TIME) {
    return b.maxTimestamp >= target ? { offset: Math.max(b.baseOffset, minOffset), timestamp: b.maxTimestamp } : undefined
  }
  const bytes = readBytes(seg.log, b.position, b.size)
  const baseTimestamp = f.baseTimestamp(bytes, 0)
  let hit: OffsetAndTimestamp | undefined
  try {
    const section = recordsSection(bytes)
    const count = f.recordCount(bytes, 0)
    forEachRecord(section, 0, section.length, count, (r) => {
      const offset = b.baseOffset + r.offsetDelta
      const timestamp = baseTimestamp + r.timestampDelta
      if (!hit && offset >= minOffset && timestamp >= target) hit = { offset, timestamp }
    })
  } catch {
    return bytes.length >= RECORD_BATCH_HEADER_SIZE ? { offset: Math.max(b.baseOffset, minOffset), timestamp: b.maxTimestamp } : undefined
  }
  return hit
}

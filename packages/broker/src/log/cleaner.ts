import { join } from 'node:path'
import {
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_HEADER_SIZE,
  RECORD_COUNT_OFFSET,
  compressSync,
  compressionCodecFromId,
} from '@tributary/protocol'
import { batchFields as f, computeCrc, writeInt64, type BatchSummary } from './batch.js'
import { BatchScanner } from './batch-scan.js'
import type { PartitionLog } from './partition-log.js'
import { forEachRecord, recordsSection, type RecordView } from './records.js'
import { LogSegment, SEGMENT_SUFFIXES, segmentFileName } from './segment.js'
import { readBytes } from './storage.js'

/**
 * The cleaner failed while replacing segments: the log's files are between two states that only
 * start-up recovery sorts out, so the log must go offline.
 */
export class SwapFailedError extends Error {}

/** What one compaction pass did. */
export interface CleanResult {
  /** Segments rewritten (several may have been merged into one). */
  cleanedSegments: number
  bytesBefore: number
  bytesAfter: number
  recordsRemoved: number
}

/** Options of {@link compactLog}. */
export interface CompactOptions {
  /** Clock time for `min.compaction.lag.ms` and `delete.retention.ms`. */
  now: number
  /** Clean even when the dirty share is below `min.cleanable.dirty.ratio`. */
  force?: boolean
}

const MAX_RELATIVE_OFFSET = 0x7fff_ffff
const nothing = (): CleanResult => ({ cleanedSegments: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0 })

/** Where each log's last pass ended: segments from here on are "dirty". In memory; a restart cleans once more. */
const firstDirtyOffsets = new WeakMap<PartitionLog, number>()

/**
 * Compacts a log with `cleanup.policy=compact`: rewrites its closed segments keeping, for every key,
 * only the record with the highest offset, and dropping tombstones (null values) once their segment
 * is older than `delete.retention.ms`. The active segment and segments newer than
 * `min.compaction.lag.ms` are left alone. Offsets never change: a rewritten batch keeps its base and
 * last offset (as Kafka keeps them for v2 batches), its surviving records keep their bytes, and it is
 * recompressed with its original codec. Control batches are kept as they are.
 *
 * Runs when the dirty share (bytes written since the last pass) reaches `min.cleanable.dirty.ratio`,
 * or when forced. Consecutive cleaned segments are merged while they fit in `segment.bytes`.
 *
 * Crash safety: the new segment is written as `.cleaned` files and synced, renamed to `.swap`, the
 * segments it replaces are deleted, and the `.swap` files are renamed into place; start-up recovery
 * finishes or discards an interrupted swap (see `loadSegments`).
 */
export function compactLog(log: PartitionLog, options: CompactOptions): CleanResult {
  const config = log.config
  if (!config.cleanupPolicy.compact) return nothing()
  const horizon = options.now - config.minCompactionLagMs
  const cleanable: LogSegment[] = []
  for (const seg of log.segments.slice(0, -1)) {
    if (largestTimestamp(seg) > horizon) break
    cleanable.push(seg)
  }
  if (cleanable.length === 0) return nothing()
  const total = cleanable.reduce((n, s) => n + s.size, 0)
  const firstDirty = firstDirtyOffsets.get(log) ?? 0
  const dirty = cleanable.filter((s) => s.nextOffset > firstDirty).reduce((n, s) => n + s.size, 0)
  if (!options.force && (dirty === 0 || dirty / Math.max(total, 1) < config.minCleanableDirtyRatio)) return nothing()

  const latest = buildOffsetMap(cleanable)
  const result = nothing()
  for (const group of groupSegments(cleanable, config.segmentBytes)) {
    const next = log.segments[log.segments.indexOf(group[group.length - 1]!) + 1]!
    const cleaned = rewriteGroup(log, group, next.baseOffset, latest, options.now, result)
    log.replaceSegments(group, cleaned)
  }
  firstDirtyOffsets.set(log, cleanable[cleanable.length - 1]!.nextOffset)
  log.logger.info(
    `${log.name}: compacted ${result.cleanedSegments} segment(s) from ${result.bytesBefore} to ${result.bytesAfter} bytes, removing ${result.recordsRemoved} record(s)`,
  )
  return result
}

function largestTimestamp(seg: LogSegment): number {
  return seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.createdMs
}

/** Calls `visit` for every stored batch of a segment with its bytes. */
function forEachBatch(seg: LogSegment, visit: (bytes: Buffer, summary: BatchSummary) => void): void {
  const scan = new BatchScanner(seg.log, 0)
  for (let b = scan.next(); b; b = scan.next()) visit(readBytes(seg.log, b.position, b.size), b)
}

/** Key (as a latin1 string, one char per byte) → the highest offset holding it. */
function buildOffsetMap(segments: readonly LogSegment[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const seg of segments) {
    forEachBatch(seg, (bytes, b) => {
      if (f.isControl(bytes, 0)) return
      visitRecords(bytes, (r, section) => {
        if (r.keyStart >= 0) latest.set(section.toString('latin1', r.keyStart, r.keyStart + r.keyLength), b.baseOffset + r.offsetDelta)
      })
    })
  }
  return latest
}

function visitRecords(batch: Buffer, visit: (r: RecordView, section: Buffer) => void): boolean {
  try {
    const section = recordsSection(batch)
    forEachRecord(section, 0, section.length, f.recordCount(batch, 0), (r) => visit(r, section))
    return true
  } catch {
    // A batch whose records cannot be read is kept as it is.
    return false
  }
}

/** Consecutive segments whose combined size and offset range fit in one segment. */
function groupSegments(segments: readonly LogSegment[], segmentBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = []
  let current: LogSegment[] = []
  let size = 0
  for (const seg of segments) {
    const fits = current.length > 0 && size + seg.size <= segmentBytes && seg.nextOffset - 1 - current[0]!.baseOffset <= MAX_RELATIVE_OFFSET
    if (!fits && current.length > 0) {
      groups.push(current)
      current = []
      size = 0
    }
    current.push(seg)
    size += seg.size
  }
  if (current.length > 0) groups.push(current)
  return groups
}

function rewriteGroup(log: PartitionLog, group: readonly LogSegment[], endOffset: number, latest: Map<string, number>, now: number, result: CleanResult): LogSegment {
  const { storage, dir } = log
  const base = group[0]!.baseOffset
  const fileOf = (suffix: string) => join(dir, segmentFileName(base, suffix))
  for (const s of SEGMENT_SUFFIXES) for (const extra of ['.cleaned', '.swap']) storage.remove(fileOf(s + extra))
  const out = LogSegment.open(storage, dir, base, log.settings(), now, '.cleaned')
  try {
    for (const seg of group) {
      const dropTombstones = now - largestTimestamp(seg) > log.config.deleteRetentionMs
      result.bytesBefore += seg.size
      forEachBatch(seg, (bytes, b) => {
        const kept = f.isControl(bytes, 0) ? bytes : retainRecords(bytes, b, latest, dropTombstones, result)
        if (kept) out.append(kept, [{ ...b, position: 0, size: kept.length, maxTimestamp: f.maxTimestamp(kept, 0) }])
      })
    }
    out.finishTimeIndex()
    out.flush()
    result.bytesAfter += out.size
    result.cleanedSegments += group.length
  } finally {
    out.close()
  }
  try {
    // .cleaned → .swap (log last), delete the old segments, .swap → final names (log last).
    for (const s of ['.index', '.timeindex', '.log']) storage.rename(fileOf(`${s}.cleaned`), fileOf(`${s}.swap`))
    for (const seg of group) seg.delete()
    for (const s of ['.index', '.timeindex', '.log']) storage.rename(fileOf(`${s}.swap`), fileOf(s))
  } catch (err) {
    throw new SwapFailedError(`swapping in the cleaned segment ${fileOf('.log')} failed`, { cause: err })
  }
  const cleaned = LogSegment.open(storage, dir, base, log.settings(), now)
  const problem = cleaned.loadState(endOffset, false)
  if (problem) throw new SwapFailedError(`the cleaned segment ${fileOf('.log')} does not load: ${problem}`)
  return cleaned
}

/**
 * The batch with only the records to keep: the batch itself when all stay, undefined when none do,
 * else a new batch with the same header fields (base offset, last offset delta, producer fields,
 * base timestamp), the kept records' original bytes, and a recomputed count, max timestamp and CRC.
 */
function retainRecords(batch: Buffer, b: BatchSummary, latest: Map<string, number>, dropTombstones: boolean, result: CleanResult): Buffer | undefined {
  const kept: Buffer[] = []
  let count = 0
  let removed = 0
  let maxTimestamp = -1
  const baseTimestamp = f.baseTimestamp(batch, 0)
  const readable = visitRecords(batch, (r, section) => {
    count++
    const key = r.keyStart >= 0 ? section.toString('latin1', r.keyStart, r.keyStart + r.keyLength) : undefined
    const superseded = key !== undefined && latest.get(key) !== b.baseOffset + r.offsetDelta
    if (superseded || (dropTombstones && r.valueLength < 0)) {
      removed++
      return
    }
    kept.push(section.subarray(r.start, r.end))
    maxTimestamp = Math.max(maxTimestamp, baseTimestamp + r.timestampDelta)
  })
  if (!readable || removed === 0) return batch
  result.recordsRemoved += removed
  if (kept.length === 0) return undefined
  const codecId = f.compression(batch, 0)
  const records = Buffer.concat(kept)
  const body = codecId === 0 ? records : compressSync(compressionCodecFromId(codecId), records)
  const out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + body.length)
  batch.copy(out, 0, 0, RECORD_BATCH_HEADER_SIZE)
  body.copy(out, RECORD_BATCH_HEADER_SIZE)
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET)
  out.writeInt32BE(count - removed, RECORD_COUNT_OFFSET)
  if ((f.attributes(batch, 0) & 0x08) === 0) writeInt64(out, MAX_TIMESTAMP_OFFSET, maxTimestamp)
  out.writeUInt32BE(computeCrc(out, 0, out.length), CRC_OFFSET)
  return out
}

import { join } from 'node:path'
import { RECORD_BATCH_HEADER_SIZE } from '@tributary/protocol'
import { summarize, type BatchSummary } from './batch.js'
import { BatchScanner } from './batch-scan.js'
import { OffsetIndex } from './offset-index.js'
import type { LogStorage, StoredFile } from './storage.js'
import { TimeIndex } from './time-index.js'

/** The file kinds of a segment, as Kafka names them. */
export const SEGMENT_SUFFIXES = ['.log', '.index', '.timeindex'] as const

/** `00000000000000000042.log` for base offset 42 and suffix `.log`. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`
}

/** The base offset a segment file name encodes, or undefined for other files. */
export function parseSegmentFileName(name: string, suffix = '.log'): number | undefined {
  const m = /^(\d{20})(\.[a-z]+)$/.exec(name)
  if (!m || m[2] !== suffix) return undefined
  const n = Number(m[1])
  return Number.isSafeInteger(n) ? n : undefined
}

/** Index settings a segment is opened with. */
export interface SegmentSettings {
  /** `index.interval.bytes`: log bytes between offset index entries. */
  indexIntervalBytes: number
  /** `segment.index.bytes`: the size limit of each index file. */
  segmentIndexBytes: number
}

/**
 * One segment of a partition log: the `.log` file of stored batches and its `.index` and `.timeindex`.
 * Knows where its offsets end, its largest timestamp, and how to find a batch by offset; the
 * {@link PartitionLog} decides when to roll, read and delete.
 */
export class LogSegment {
  readonly log: StoredFile
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  /** The offset after the last batch (the base offset when empty). */
  nextOffset: number
  /** The largest batch timestamp, -1 when none is known. */
  maxTimestamp = -1
  /** The last offset of the batch that carried {@link maxTimestamp}. */
  offsetOfMaxTimestamp = -1
  private bytesSinceIndexEntry = 0
  private firstBatchTimestamp: number | undefined

  private constructor(
    readonly storage: LogStorage,
    readonly dir: string,
    readonly baseOffset: number,
    private settings: SegmentSettings,
    /** When this segment was created or loaded (clock time), the fallback for time-based rolling. */
    readonly createdMs: number,
    suffix: string,
  ) {
    this.log = storage.open(join(dir, segmentFileName(baseOffset, '.log' + suffix)))
    this.offsetIndex = new OffsetIndex(storage.open(join(dir, segmentFileName(baseOffset, '.index' + suffix))), baseOffset, settings.segmentIndexBytes)
    this.timeIndex = new TimeIndex(storage.open(join(dir, segmentFileName(baseOffset, '.timeindex' + suffix))), baseOffset, settings.segmentIndexBytes)
    this.nextOffset = baseOffset
  }

  /**
   * Opens (creating when missing) the segment at `baseOffset`. `suffix` opens side files such as the
   * cleaner's `.cleaned` output. Call {@link loadState} or recovery before using an existing segment.
   */
  static open(storage: LogStorage, dir: string, baseOffset: number, settings: SegmentSettings, nowMs: number, suffix = ''): LogSegment {
    return new LogSegment(storage, dir, baseOffset, settings, nowMs, suffix)
  }

  get size(): number {
    return this.log.size()
  }

  get isEmpty(): boolean {
    return this.log.size() === 0
  }

  /** Updates the index settings after a config change; existing entries stay valid. */
  applySettings(settings: SegmentSettings): void {
    this.settings = settings
  }

  /**
   * Takes the end offset and largest timestamp from the indexes and the batches after the last
   * offset index entry (a clean shutdown leaves both accurate). Returns a problem description when
   * the segment needs recovery instead: an index fails its check or the log ends inside a batch.
   */
  loadState(nextSegmentBase: number | undefined, thorough: boolean): string | undefined {
    const end = nextSegmentBase ?? Number.MAX_SAFE_INTEGER
    const indexProblem = this.offsetIndex.problem(this.size, end, thorough) ?? this.timeIndex.problem(end, thorough)
    if (indexProblem) return indexProblem
    const last = this.offsetIndex.lastEntry()
    const scan = new BatchScanner(this.log, last ? last.position : 0)
    let batch: BatchSummary | undefined
    let bytesSinceEntry = 0
    for (let b = scan.next(); b; b = scan.next()) {
      if (!batch && last && b.lastOffset !== last.offset) return `the last index entry names offset ${last.offset} but its batch ends at ${b.lastOffset}`
      if (b.baseOffset < this.baseOffset || b.lastOffset >= end) return `batch at ${b.position} holds offsets ${b.baseOffset}-${b.lastOffset}, outside the segment`
      if (batch && b.baseOffset <= batch.lastOffset) return `batch at ${b.position} does not follow the offsets before it`
      if (!last && bytesSinceEntry > this.settings.indexIntervalBytes) return `the offset index is empty but the log holds ${this.size} bytes`
      bytesSinceEntry += b.size
      batch = b
      if (b.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = b.maxTimestamp
        this.offsetOfMaxTimestamp = b.lastOffset
      }
    }
    if (scan.stoppedAt !== this.size) return `the log ends inside a batch at position ${scan.stoppedAt}`
    this.nextOffset = batch ? batch.lastOffset + 1 : this.baseOffset
    const lastTime = this.timeIndex.lastEntry()
    if (lastTime && lastTime.timestamp > this.maxTimestamp) {
      this.maxTimestamp = lastTime.timestamp
      this.offsetOfMaxTimestamp = lastTime.offset
    }
    return undefined
  }

  /**
   * Appends already-validated, offset-stamped batches (`data`, with `batches` positions relative to
   * it) and indexes them. On a write failure everything this call wrote is cut off again before the
   * error is rethrown.
   */
  append(data: Buffer, batches: readonly BatchSummary[]): void {
    const start = this.size
    const saved = this.saveState()
    try {
      this.log.append(data)
      for (const b of batches) this.indexBatch({ ...b, position: start + b.position })
    } catch (err) {
      this.rollBack(start, saved)
      throw err
    }
  }

  /** Records a batch at its final position in the indexes and the segment's running state. */
  indexBatch(b: BatchSummary): void {
    if (this.firstBatchTimestamp === undefined && b.position === 0) this.firstBatchTimestamp = b.maxTimestamp
    if (b.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = b.maxTimestamp
      this.offsetOfMaxTimestamp = b.lastOffset
    }
    if (this.bytesSinceIndexEntry > this.settings.indexIntervalBytes) {
      this.offsetIndex.append(b.lastOffset, b.position)
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceIndexEntry = 0
    }
    this.bytesSinceIndexEntry += b.size
    this.nextOffset = b.lastOffset + 1
  }

  /** Forgets all indexed state, for a rebuild that calls {@link indexBatch} from the first batch. */
  resetIndexes(): void {
    this.offsetIndex.reset()
    this.timeIndex.reset()
    this.nextOffset = this.baseOffset
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.bytesSinceIndexEntry = 0
    this.firstBatchTimestamp = undefined
  }

  /** Whether the indexes are full, so the next append must go to a new segment. */
  get indexFull(): boolean {
    return this.offsetIndex.isFull || this.timeIndex.isFull
  }

  /**
   * The timestamp time-based rolling measures from, as Kafka: the first batch's timestamp when it
   * has one, else the segment's creation time.
   */
  rollingBaseTimestamp(): { fromRecords: boolean; timestamp: number } {
    if (this.firstBatchTimestamp === undefined && !this.isEmpty) {
      this.firstBatchTimestamp = new BatchScanner(this.log, 0).next()?.maxTimestamp ?? -1
    }
    const ts = this.firstBatchTimestamp ?? -1
    return ts >= 0 ? { fromRecords: true, timestamp: ts } : { fromRecords: false, timestamp: this.createdMs }
  }

  /** The first batch whose last offset is at least `offset`, or undefined when none is here. */
  findBatch(offset: number): BatchSummary | undefined {
    const scan = new BatchScanner(this.log, this.offsetIndex.lookup(offset).position)
    for (let b = scan.next(); b; b = scan.next()) if (b.lastOffset >= offset) return b
    return undefined
  }

  /**
   * Reads whole batches starting at `position`: as many as fit in `maxBytes`, at least one when
   * `minOneBatch`, none with a base offset at or above `maxOffset`. Returns the stored bytes.
   */
  read(position: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Buffer {
    const available = this.size - position
    let buf = Buffer.allocUnsafe(Math.max(0, Math.min(maxBytes, available)))
    let got = this.log.readInto(buf, 0, buf.length, position)
    if (minOneBatch && got < RECORD_BATCH_HEADER_SIZE && available >= RECORD_BATCH_HEADER_SIZE) {
      // maxBytes is smaller than the first batch: read that batch alone.
      const head = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE)
      this.log.readInto(head, 0, head.length, position)
      const first = summarize(head, 0, position)
      if (first.baseOffset >= maxOffset) return Buffer.alloc(0)
      buf = Buffer.allocUnsafe(Math.min(first.size, available))
      got = this.log.readInto(buf, 0, buf.length, position)
    }
    let end = 0
    while (got - end >= RECORD_BATCH_HEADER_SIZE) {
      const b = summarize(buf, end)
      if (b.baseOffset >= maxOffset || b.size < RECORD_BATCH_HEADER_SIZE) break
      if (end + b.size > got) {
        if (end > 0 || !minOneBatch) break
        // The first batch is larger than maxBytes: minOneBatch still returns it whole.
        const whole = Buffer.allocUnsafe(Math.min(b.size, available))
        this.log.readInto(whole, 0, whole.length, position)
        return whole
      }
      end += b.size
    }
    return buf.subarray(0, end)
  }

  /**
   * Writes the final time index entry (the segment's largest timestamp), as Kafka does when a
   * segment stops being the active one or the log closes, so the last entry is always the maximum.
   */
  finishTimeIndex(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
  }

  /** Removes the batches holding offsets at or above `offset` (whole batches from the one holding it). */
  truncateTo(offset: number): void {
    if (offset >= this.nextOffset) return
    const b = this.findBatch(offset)
    const position = b ? b.position : this.size
    this.log.truncate(position)
    this.offsetIndex.truncateTo(offset)
    this.timeIndex.truncateTo(offset)
    // Recompute the running state from what remains.
    this.resetState()
    this.loadState(undefined, false)
  }

  /** Forces the segment's files to stable storage. */
  flush(): void {
    this.log.sync()
    this.offsetIndex.file.sync()
    this.timeIndex.file.sync()
  }

  close(): void {
    this.log.close()
    this.offsetIndex.file.close()
    this.timeIndex.file.close()
  }

  /** Closes and deletes the segment's files. */
  delete(): void {
    this.close()
    for (const f of [this.log, this.offsetIndex.file, this.timeIndex.file]) this.storage.remove(f.path)
  }

  private resetState(): void {
    this.nextOffset = this.baseOffset
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.bytesSinceIndexEntry = 0
    this.firstBatchTimestamp = undefined
  }

  private saveState() {
    return {
      nextOffset: this.nextOffset,
      maxTimestamp: this.maxTimestamp,
      offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      bytesSinceIndexEntry: this.bytesSinceIndexEntry,
      firstBatchTimestamp: this.firstBatchTimestamp,
    }
  }

  private rollBack(size: number, saved: ReturnType<LogSegment['saveState']>): void {
    this.log.truncate(size)
    this.offsetIndex.truncateTo(saved.nextOffset)
    this.timeIndex.truncateTo(saved.nextOffset)
    Object.assign(this, saved)
  }
}

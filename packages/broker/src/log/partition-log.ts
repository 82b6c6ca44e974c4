import { AppendHooks, type AppendCheck, type AppendObserver, type AppendResult } from './append-hooks.js'
import { validateBatches } from './append-validation.js'
import { stampBatch, type BatchSummary } from './batch.js'
import { ChangeSignal } from './change-signal.js'
import { SwapFailedError, compactLog, type CleanResult } from './cleaner.js'
import { readCheckpoint, writeCheckpoint, type LogCheckpoint } from './checkpoint.js'
import { logError, storageError } from './errors.js'
import { defaultStorageLogger, type StorageLogger } from './logger.js'
import { loadSegments } from './recovery.js'
import { planRetention } from './retention.js'
import { LogSegment, type SegmentSettings } from './segment.js'
import { findMaxTimestamp, findOffsetByTimestamp, type OffsetAndTimestamp } from './timestamp-search.js'
import type { LogStorage } from './storage.js'
import type { TopicConfig } from './topic-config.js'
import type { AppendOptions, PartitionLogOptions, ReadOptions, ReadResult, RetentionResult } from './partition-log-types.js'

const MAX_RELATIVE_OFFSET = 0x7fff_ffff

export type { PartitionLogOptions, AppendOptions, ReadOptions, ReadResult, RetentionResult } from './partition-log-types.js'

/**
 * One topic partition's log: segments of stored record batches in Kafka's layout, appended by
 * Produce and read by Fetch without decoding.
 *
 * Offsets are JavaScript numbers here (exact below 2^53, which no log reaches); handlers convert
 * to bigint at the protocol boundary (`BigInt(result.baseOffset)`).
 *
 * Appends are synchronous: when {@link append} returns, the bytes are in the OS (they survive a
 * crash of the process). `flush.messages` and `flush.ms` add fsync for crashes of the machine.
 *
 * @example
 * ```ts
 * const log = PartitionLog.open({ storage: new MemoryStorage(), dir: '/orders-0', topic: 'orders', partition: 0, config: resolveTopicConfig({}) })
 * const { baseOffset } = log.append(producedBatch)
 * const { records } = log.read(baseOffset, 1 << 20)
 * ```
 */
export class PartitionLog {
  readonly storage: LogStorage
  readonly dir: string
  readonly topic: string
  readonly partition: number
  /** @internal The segments, oldest first; the last one is active. Used by the cleaner. */
  segments: LogSegment[]
  private cfg: TopicConfig
  private readonly clock: () => number
  /** Where this log reports recovery, retention and background failures. */
  readonly logger: StorageLogger
  private readonly leaderEpoch: number
  private startOffset: number
  private recoveryPoint: number
  private checkpointWritten: LogCheckpoint
  private unflushedRecords = 0
  private lastFlushMs: number
  private failure: unknown
  /** Appends failed in a row (a full disk); reported once when they start and once when they stop. */
  private failedAppends = 0
  private closed = false
  private readonly hooks: AppendHooks
  private readonly changes: ChangeSignal

  private constructor(o: PartitionLogOptions) {
    this.storage = o.storage
    this.dir = o.dir
    this.topic = o.topic
    this.partition = o.partition
    this.cfg = o.config
    this.clock = o.clock ?? Date.now
    this.logger = o.logger ?? defaultStorageLogger
    this.leaderEpoch = o.leaderEpoch ?? 0
    this.lastFlushMs = this.clock()
    this.changes = new ChangeSignal(this.logger, this.name)
    this.hooks = new AppendHooks(this.logger, this.name)
    o.storage.mkdirs(o.dir)
    const checkpoint = readCheckpoint(o.storage, o.dir)
    this.segments = loadSegments({
      storage: o.storage,
      dir: o.dir,
      settings: this.settings(),
      cleanShutdown: o.cleanShutdown ?? true,
      recoveryPoint: checkpoint.recoveryPoint,
      logger: this.logger,
      nowMs: this.clock(),
      emptyBaseOffset: checkpoint.logStartOffset,
      verify: o.verifySegments ?? false,
    })
    this.startOffset = Math.max(checkpoint.logStartOffset, this.segments[0]!.baseOffset)
    if (this.startOffset > this.logEndOffset) {
      this.logger.warn(`${this.name}: log start offset ${this.startOffset} is past the recovered end ${this.logEndOffset}; starting an empty log there`)
      this.replaceAllWithEmptySegmentAt(this.startOffset)
    }
    this.recoveryPoint = Math.min(checkpoint.recoveryPoint, this.logEndOffset)
    this.checkpointWritten = checkpoint
  }

  /** Opens (creating or recovering) the log in `options.dir`. */
  static open(options: PartitionLogOptions): PartitionLog {
    return new PartitionLog(options)
  }

  /** `topic-partition`, for messages. */
  get name(): string {
    return `${this.topic}-${this.partition}`
  }

  get config(): TopicConfig {
    return this.cfg
  }

  /** The first offset that may be read; earlier ones were deleted. */
  get logStartOffset(): number {
    return this.startOffset
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.active.nextOffset
  }

  /** On a single broker every appended record is committed: the high watermark is the log end offset. */
  get highWatermark(): number {
    return this.logEndOffset
  }

  /** Total bytes of the segments' `.log` files. */
  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0)
  }

  /** @internal The segment appends go to. */
  get active(): LogSegment {
    return this.segments[this.segments.length - 1]!
  }

  /** Applies changed topic configs; they take effect on the next append, roll or retention pass. */
  updateConfig(config: TopicConfig): void {
    this.cfg = config
    for (const s of this.segments) s.applySettings(this.settings())
  }

  /**
   * Validates and appends the record batches of one Produce partition (`batches` holds one or more
   * v2 batches as sent). Nothing is written unless every batch is valid. Offsets are assigned by
   * patching each batch's base offset (and leader epoch) in place in `batches`; with
   * `message.timestamp.type=LogAppendTime` the max timestamp and timestamp-type bit are set and the
   * CRC recomputed, as Kafka does.
   *
   * @throws KafkaError with code `CORRUPT_MESSAGE`, `MESSAGE_TOO_LARGE`, `INVALID_RECORD`,
   * `INVALID_TIMESTAMP` or `UNSUPPORTED_FOR_MESSAGE_FORMAT` (see `validateBatches`),
   * `RECORD_LIST_TOO_LARGE` when the batches together exceed `segment.bytes`, whatever an
   * {@link AppendCheck} throws, `KAFKA_STORAGE_ERROR` when the disk fails, and
   * `UNKNOWN_TOPIC_OR_PARTITION` once the log is closed or deleted.
   */
  append(batches: Buffer, options: AppendOptions = {}): AppendResult {
    this.ensureOpen()
    const origin = options.origin ?? 'client'
    const now = this.clock()
    const validated = validateBatches(batches, this.cfg, origin, now)
    if (batches.length > this.cfg.segmentBytes) {
      throw logError('RECORD_LIST_TOO_LARGE', `The ${batches.length} bytes appended to ${this.name} exceed segment.bytes (${this.cfg.segmentBytes})`)
    }
    const answer = this.hooks.check(batches, validated, origin)
    if (answer) return answer
    const recordCount = validated.reduce((n, v) => n + v.lastOffsetDelta + 1, 0)
    const logAppendTime = this.cfg.messageTimestampType === 'LogAppendTime' ? now : -1
    const incomingMaxTimestamp = logAppendTime >= 0 ? now : Math.max(...validated.map((v) => v.maxTimestamp))
    this.maybeRoll(batches.length, incomingMaxTimestamp, recordCount, now)
    const baseOffset = this.logEndOffset
    let next = baseOffset
    const summaries: BatchSummary[] = validated.map((v) => {
      const lastOffset = stampBatch(batches, v.position, v.size, { baseOffset: next, partitionLeaderEpoch: this.leaderEpoch, timestampType: this.cfg.messageTimestampType, now })
      const summary = { position: v.position, size: v.size, baseOffset: next, lastOffset, maxTimestamp: logAppendTime >= 0 ? now : v.maxTimestamp, attributes: batches.readInt16BE(v.position + 21) }
      next = lastOffset + 1
      return summary
    })
    const segment = this.active
    const sizeBefore = segment.size
    try {
      segment.append(batches, summaries)
    } catch (err) {
      if (segment.size !== sizeBefore) this.failure = err
      this.noteAppendFailure(err)
      throw storageError(`Appending to ${this.name}`, err)
    }
    if (this.failedAppends > 0) {
      this.logger.warn(`${this.name}: appends succeed again after ${this.failedAppends} failed`)
      this.failedAppends = 0
    }
    this.unflushedRecords += recordCount
    if (this.unflushedRecords >= this.cfg.flushMessages) this.flush()
    this.hooks.notify(batches, summaries, origin)
    this.emitChange()
    return { baseOffset, lastOffset: next - 1, logAppendTime, logStartOffset: this.startOffset, recordCount }
  }

  /**
   * Reads whole stored batches from `fetchOffset`: a fetch offset inside a batch returns that batch
   * from its start. Returns as many batches as fit in `maxBytes` (at least one when `minOneBatch`),
   * all from one segment as Kafka does, never decoded or re-encoded. Reading at the log end offset
   * returns no bytes.
   *
   * @throws KafkaError `OFFSET_OUT_OF_RANGE` when `fetchOffset` is below the log start offset or
   * above the log end offset.
   */
  read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.ensureOpen()
    const end = this.logEndOffset
    const result = (records: Buffer): ReadResult => ({ records, logStartOffset: this.startOffset, highWatermark: end })
    if (fetchOffset < this.startOffset || fetchOffset > end) {
      throw logError('OFFSET_OUT_OF_RANGE', `Offset ${fetchOffset} is out of range for ${this.name}: the log holds offsets ${this.startOffset} to ${end}`)
    }
    const maxOffset = Math.min(options.maxOffset ?? end, end)
    if (fetchOffset >= maxOffset) return result(Buffer.alloc(0))
    const minOneBatch = options.minOneBatch ?? true
    try {
      for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
        const seg = this.segments[i]!
        const batch = seg.findBatch(fetchOffset)
        if (batch) return result(seg.read(batch.position, maxBytes, maxOffset, minOneBatch))
      }
    } catch (err) {
      throw storageError(`Reading ${this.name}`, err)
    }
    return result(Buffer.alloc(0))
  }

  /** ListOffsets EARLIEST: the log start offset, with no timestamp. */
  earliest(): OffsetAndTimestamp {
    return { offset: this.startOffset, timestamp: -1 }
  }

  /** ListOffsets LATEST: the log end offset, with no timestamp. */
  latest(): OffsetAndTimestamp {
    return { offset: this.logEndOffset, timestamp: -1 }
  }

  /**
   * ListOffsets by timestamp: the first record whose timestamp is at least `timestamp`, with that
   * record's timestamp; undefined when there is none (answer offset -1, timestamp -1).
   */
  offsetForTimestamp(timestamp: number): OffsetAndTimestamp | undefined {
    this.ensureOpen()
    return findOffsetByTimestamp(this.segments, timestamp, this.startOffset)
  }

  /** ListOffsets MAX_TIMESTAMP: the record with the largest timestamp; undefined for an empty log. */
  maxTimestamp(): OffsetAndTimestamp | undefined {
    this.ensureOpen()
    return findMaxTimestamp(this.segments, this.startOffset)
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset`, deletes the segments wholly below it,
   * and persists the new start offset before returning. Returns the log start offset (the low
   * watermark). A lower `offset` than the current start changes nothing.
   *
   * @throws KafkaError `OFFSET_OUT_OF_RANGE` when `offset` is above the high watermark.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen()
    if (offset > this.highWatermark || offset < 0) {
      throw logError('OFFSET_OUT_OF_RANGE', `Cannot delete records before ${offset} in ${this.name}: the high watermark is ${this.highWatermark}`)
    }
    if (offset > this.startOffset) {
      this.startOffset = offset
      this.persistCheckpoint()
      this.deleteOldSegments({ ...this.cfg, cleanupPolicy: { delete: false, compact: false } }, this.clock())
    }
    return this.startOffset
  }

  /**
   * Runs Kafka's retention checks (`retention.ms`, `retention.bytes`, log start offset) and deletes
   * whole segments, oldest first, advancing the log start offset. A non-empty active segment that
   * has expired is rolled first, so the log keeps an empty active segment.
   */
  applyRetention(now = this.clock()): RetentionResult {
    this.ensureOpen()
    return this.deleteOldSegments(this.cfg, now)
  }

  /**
   * Runs the log cleaner on a `cleanup.policy=compact` log (see `compactLog`); `force` ignores
   * `min.cleanable.dirty.ratio`. Nothing happens for other policies.
   */
  compact(options: { force?: boolean; now?: number } = {}): CleanResult {
    this.ensureOpen()
    try {
      return compactLog(this, { now: options.now ?? this.clock(), force: options.force ?? false })
    } catch (err) {
      if (err instanceof SwapFailedError) this.failure = err
      throw storageError(`Compacting ${this.name}`, err)
    }
  }

  /** Closes the active segment and starts a new one at the log end offset (nothing when it is empty). */
  roll(): void {
    this.ensureOpen()
    const old = this.active
    if (old.isEmpty) return
    old.finishTimeIndex()
    this.segments.push(LogSegment.open(this.storage, this.dir, this.logEndOffset, this.settings(), this.clock()))
    this.flushInBackground(old, this.logEndOffset)
  }

  /** Forces everything appended so far to stable storage (fsync) and advances the recovery point. */
  flush(): void {
    this.ensureOpen()
    try {
      for (const s of this.segments) if (s.nextOffset > this.recoveryPoint) s.flush()
    } catch (err) {
      // As Kafka, a failed fsync takes the log offline: what reached the disk is unknown.
      this.failure = err
      throw storageError(`Flushing ${this.name}`, err)
    }
    this.recoveryPoint = this.logEndOffset
    this.unflushedRecords = 0
    this.lastFlushMs = this.clock()
  }

  /** Flushes when `flush.ms` has passed since the last flush with records unflushed; for the manager's timer. */
  flushIfDue(now = this.clock()): void {
    if (!this.closed && this.unflushedRecords > 0 && now - this.lastFlushMs >= this.cfg.flushMs) this.flush()
  }

  /**
   * Removes every record at or above `offset` (whole batches from the one holding it). For tests and
   * for a future follower that must cut a diverged tail.
   */
  truncateTo(offset: number): void {
    this.ensureOpen()
    if (offset >= this.logEndOffset) return
    if (offset <= this.startOffset) {
      this.replaceAllWithEmptySegmentAt(Math.max(offset, this.startOffset))
    } else {
      while (this.segments.length > 1 && this.active.baseOffset >= offset) this.segments.pop()!.delete()
      this.active.truncateTo(offset)
    }
    this.recoveryPoint = Math.min(this.recoveryPoint, this.logEndOffset)
    this.persistCheckpoint()
    this.emitChange()
  }

  /**
   * Adds a check that runs before every append (see {@link AppendCheck}); returns its removal.
   * Checks run in the order they were added.
   */
  addAppendCheck(check: AppendCheck): () => void {
    return this.hooks.addCheck(check)
  }

  /** Adds an observer of appended batches (see {@link AppendObserver}); returns its removal. */
  addAppendObserver(observer: AppendObserver): () => void {
    return this.hooks.addObserver(observer)
  }

  /**
   * Calls `listener` after every append, truncation, close and delete, so long-polling fetches can
   * wake up; returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    return this.changes.subscribe(listener)
  }

  /**
   * Resolves with true at the next append (or other change, or at once when the log is already
   * closed), or with false when `signal` aborts first; never rejects, so racing many partitions
   * leaves no unhandled rejections.
   */
  waitForAppend(signal?: AbortSignal): Promise<boolean> {
    return this.closed && !signal?.aborted ? Promise.resolve(true) : this.changes.next(signal)
  }

  /** Writes the checkpoint when the recovery point moved since it was last written; for the manager's timer. */
  checkpointIfChanged(): void {
    if (this.closed) return
    if (this.checkpointWritten.recoveryPoint !== this.recoveryPoint || this.checkpointWritten.logStartOffset !== this.startOffset) this.persistCheckpoint()
  }

  /** Flushes, finishes the active segment's time index, writes the checkpoint and closes the files. */
  close(): void {
    if (this.closed) return
    if (!this.failure) {
      try {
        this.flush()
        this.active.finishTimeIndex()
        this.persistCheckpoint()
      } catch (err) {
        this.logger.error(`${this.name}: closing cleanly failed; the next start will recover it`, err)
      }
    }
    this.closed = true
    for (const s of this.segments) s.close()
    this.emitChange()
  }

  /**
   * Closes the files without flushing or checkpointing, for a log whose data is about to be
   * removed; waiting fetches wake up and find it closed.
   */
  detach(): void {
    this.closed = true
    for (const s of this.segments) s.close()
    this.emitChange()
  }

  /** Closes the log and deletes its directory (topic deletion). */
  delete(): void {
    this.detach()
    this.storage.removeDir(this.dir)
  }

  /** Whether {@link close} or {@link delete} was called. */
  get isClosed(): boolean {
    return this.closed
  }

  /** @internal Replaces `old` (consecutive segments) with `replacement`; used by the cleaner. */
  replaceSegments(old: readonly LogSegment[], replacement: LogSegment): void {
    const at = this.segments.indexOf(old[0]!)
    this.segments.splice(at, old.length, replacement)
  }

  /** @internal Current index settings for new segments. */
  settings(): SegmentSettings {
    return { indexIntervalBytes: this.cfg.indexIntervalBytes, segmentIndexBytes: this.cfg.segmentIndexBytes }
  }

  private deleteOldSegments(config: TopicConfig, now: number): RetentionResult {
    const stats = this.segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, largestTimestamp: s.maxTimestamp >= 0 ? s.maxTimestamp : s.createdMs }))
    const plan = planRetention(stats, config, now, this.startOffset)
    let deletedBytes = 0
    if (plan.count > 0) {
      if (plan.count === this.segments.length) this.roll()
      const doomed = this.segments.splice(0, plan.count)
      for (const s of doomed) {
        deletedBytes += s.size
        s.delete()
      }
      this.logger.info(`${this.name}: deleted ${doomed.length} segment(s), ${deletedBytes} bytes, by ${plan.reasons.join(' and ')}`)
    }
    const start = Math.max(this.startOffset, this.segments[0]!.baseOffset)
    if (start !== this.startOffset || plan.count > 0) {
      this.startOffset = start
      this.persistCheckpoint()
    }
    return { deletedSegments: plan.count, deletedBytes, reasons: plan.reasons, logStartOffset: this.startOffset }
  }

  private maybeRoll(incomingBytes: number, incomingMaxTimestamp: number, recordCount: number, now: number): void {
    const seg = this.active
    if (seg.isEmpty) return
    const base = seg.rollingBaseTimestamp()
    const waited = base.fromRecords ? incomingMaxTimestamp - base.timestamp : now - base.timestamp
    if (
      seg.size + incomingBytes > this.cfg.segmentBytes ||
      waited > this.cfg.segmentMs ||
      seg.indexFull ||
      this.logEndOffset + recordCount - 1 - seg.baseOffset > MAX_RELATIVE_OFFSET
    ) {
      try {
        this.roll()
      } catch (err) {
        this.noteAppendFailure(err)
        throw storageError(`Rolling a new segment of ${this.name}`, err)
      }
    }
  }

  /** Logs the first of a run of failed appends (the next success logs that they stopped). */
  private noteAppendFailure(err: unknown): void {
    if (this.failedAppends++ > 0) return
    const state = this.failure ? 'the partition is offline until the broker restarts' : 'nothing was kept; appends answer KAFKA_STORAGE_ERROR until writes succeed again'
    this.logger.error(`${this.name}: appending failed (${state})`, err)
  }

  private flushInBackground(segment: LogSegment, upTo: number): void {
    const files = [segment.log, segment.offsetIndex.file, segment.timeIndex.file]
    Promise.all(files.map((f) => f.syncAsync())).then(
      () => {
        if (this.closed) return
        // The segment is read-only now: give its descriptors back until something reads it.
        if (segment !== this.active) segment.close()
        if (upTo <= this.recoveryPoint) return
        this.recoveryPoint = upTo
        try {
          this.persistCheckpoint()
        } catch (err) {
          this.logger.error(`${this.name}: writing the checkpoint after a roll failed`, err)
        }
      },
      (err: unknown) => {
        if (!this.closed && this.segments.includes(segment)) this.logger.error(`${this.name}: flushing a rolled segment failed`, err)
      },
    )
  }

  private emitChange(): void {
    this.changes.emit()
  }

  private persistCheckpoint(): void {
    const c = { logStartOffset: this.startOffset, recoveryPoint: this.recoveryPoint }
    writeCheckpoint(this.storage, this.dir, c)
    this.checkpointWritten = c
  }

  private replaceAllWithEmptySegmentAt(offset: number): void {
    for (const s of this.segments) s.delete()
    this.segments = [LogSegment.open(this.storage, this.dir, offset, this.settings(), this.clock())]
    this.startOffset = offset
  }

  /** Index of the last segment whose base offset is at most `offset` (0 when none is). */
  private segmentIndexFor(offset: number): number {
    let lo = 0
    let hi = this.segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.segments[mid]!.baseOffset <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private ensureOpen(): void {
    if (this.closed) throw logError('UNKNOWN_TOPIC_OR_PARTITION', `${this.name} is closed or deleted`)
    if (this.failure) {
      throw logError('KAFKA_STORAGE_ERROR', `${this.name} is offline after an earlier disk failure; restart the broker to recover it`, this.failure)
    }
  }
}

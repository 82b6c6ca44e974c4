import { join } from 'node:path'
import type { StorageLogger } from './logger.js'
import { scanValidPrefix } from './segment-scan.js'
import { LogSegment, SEGMENT_SUFFIXES, parseSegmentFileName, segmentFileName, type SegmentSettings } from './segment.js'
import type { LogStorage } from './storage.js'

/** What recovering one segment found. */
export interface SegmentRecovery {
  /** Bytes of valid batches kept. */
  validBytes: number
  /** Bytes cut from the end of the log. */
  truncatedBytes: number
  /** Why the first dropped batch was rejected, when bytes were cut. */
  reason?: string
}

/**
 * Validates every batch of a segment from its start (complete header, sane length, magic 2, CRC-32C,
 * offsets increasing and below `endOffset`, the next segment's base; see {@link scanValidPrefix}),
 * rebuilds both indexes from the valid batches, and cuts the log at the first invalid one: a torn
 * write or garbage after a crash, or corruption.
 */
export function recoverSegment(segment: LogSegment, endOffset = Number.MAX_SAFE_INTEGER): SegmentRecovery {
  segment.resetIndexes()
  const log = segment.log
  const size = log.size()
  const { validBytes, reason } = scanValidPrefix(log, segment.baseOffset, endOffset, (batch) => segment.indexBatch(batch))
  const truncatedBytes = size - validBytes
  if (truncatedBytes > 0) log.truncate(validBytes)
  return reason === undefined ? { validBytes, truncatedBytes } : { validBytes, truncatedBytes, reason }
}

/** How {@link loadSegments} treats the segments it finds. */
export interface LoadOptions {
  storage: LogStorage
  dir: string
  settings: SegmentSettings
  /** Whether the broker shut down cleanly last time (Kafka's `.kafka_cleanshutdown` was present). */
  cleanShutdown: boolean
  /** Offsets below this were fsynced; after an unclean shutdown, segments ending above it are recovered. */
  recoveryPoint: number
  logger: StorageLogger
  nowMs: number
  /** Base offset of the first segment when the directory holds none. */
  emptyBaseOffset: number
  /**
   * Check every batch (CRC-32C included) of the segments that pass the sanity checks too, and cut a
   * segment at its first corrupt batch. Default false: only what the shutdown state calls for.
   */
  verify?: boolean
}

/**
 * Opens the segments of one partition directory, oldest first. Finishes or discards an interrupted
 * cleaner swap, removes leftovers, then:
 * - after a clean shutdown, trusts each segment after Kafka's sanity checks (index sizes and last
 *   entries, the log ending on a batch boundary) and recovers only those that fail them;
 * - otherwise, recovers completely every segment not known to be fsynced (the one holding the
 *   recovery point and all later ones, so always the active segment) and every other segment whose
 *   indexes fail a thorough check or are missing;
 * - with `verify`, also reads every other segment whole and recovers one holding a corrupt batch
 *   (bytes changed on disk after they were written): it is cut at its last valid batch, so the
 *   batches before it and the later segments stay readable, and an error line names the offsets lost.
 * Always returns at least one segment.
 */
export function loadSegments(o: LoadOptions): LogSegment[] {
  completeSwaps(o)
  const names = o.storage.list(o.dir)
  const bases: number[] = []
  for (const name of names) {
    if (name.endsWith('.cleaned') || name.endsWith('.tmp') || name.endsWith('.deleted')) {
      o.storage.remove(join(o.dir, name))
      continue
    }
    const base = parseSegmentFileName(name)
    if (base !== undefined) bases.push(base)
  }
  bases.sort((a, b) => a - b)
  for (const name of names) {
    // Index files without their log belong to nothing.
    const base = parseSegmentFileName(name, '.index') ?? parseSegmentFileName(name, '.timeindex')
    if (base !== undefined && !bases.includes(base)) o.storage.remove(join(o.dir, name))
  }
  const segments: LogSegment[] = []
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!
    const missing = SEGMENT_SUFFIXES.filter((s) => !o.storage.exists(join(o.dir, segmentFileName(base, s))))
    const segment = LogSegment.open(o.storage, o.dir, base, o.settings, o.nowMs)
    const end = bases[i + 1] ?? Number.MAX_SAFE_INTEGER
    const fullRecovery = !o.cleanShutdown && end > o.recoveryPoint
    let problem = missing.length > 0 ? `${missing.join(' and ')} missing` : undefined
    if (!problem && !fullRecovery) problem = segment.loadState(bases[i + 1], !o.cleanShutdown)
    const file = join(o.dir, segmentFileName(base, '.log'))
    if (!problem && !fullRecovery && o.verify) {
      // Sane headers and indexes, but the bytes in between may have changed on disk since.
      const endBefore = segment.nextOffset
      const scan = scanValidPrefix(segment.log, base, end)
      if (scan.reason !== undefined) {
        const size = segment.size
        const result = recoverSegment(segment, bases[i + 1])
        const lost = endBefore > segment.nextOffset ? `offsets ${segment.nextOffset} to ${endBefore - 1} of this segment are lost` : 'no offsets are lost'
        o.logger.error(
          `log recovery: ${file}: corrupt batch at byte ${scan.validBytes} of ${size} (${scan.reason}); truncated the segment to its last valid batch, keeping ${result.validBytes} bytes and cutting ${result.truncatedBytes}; ${lost}; earlier batches and later segments are served as before`,
        )
      }
    }
    if (problem || fullRecovery) {
      const why = problem ?? 'the broker did not shut down cleanly'
      const result = recoverSegment(segment, bases[i + 1])
      if (result.truncatedBytes > 0) {
        o.logger.warn(`log recovery: ${file}: kept ${result.validBytes} bytes of valid batches, truncated ${result.truncatedBytes} bytes (${result.reason}); indexes rebuilt (${why})`)
      } else if (problem) {
        o.logger.warn(`log recovery: ${file}: indexes rebuilt (${problem})`)
      } else {
        o.logger.info(`log recovery: ${file}: all ${result.validBytes} bytes valid (${why})`)
      }
    }
    // Closed segments give their descriptors back until something reads them.
    if (i < bases.length - 1) segment.close()
    segments.push(segment)
  }
  if (segments.length === 0) segments.push(LogSegment.open(o.storage, o.dir, o.emptyBaseOffset, o.settings, o.nowMs))
  return segments
}

/**
 * Finishes what a crash interrupted in a cleaner swap. The cleaner writes `<base>.*.cleaned`, renames
 * them to `.swap`, deletes the segments they replace, then renames the `.swap` files into place, the
 * `.log` last. So: any `.cleaned` file means the swap never started (discard its files); a
 * `.log.swap` means the new segment is complete (delete what it replaces, then rename it in).
 */
function completeSwaps(o: LoadOptions): void {
  const names = o.storage.list(o.dir)
  const swapBases = new Set<number>()
  for (const name of names) {
    const m = /^(\d{20})\.[a-z]+\.(cleaned|swap)$/.exec(name)
    if (m) swapBases.add(Number(m[1]))
  }
  for (const base of swapBases) {
    const cleaned = SEGMENT_SUFFIXES.some((s) => o.storage.exists(join(o.dir, segmentFileName(base, `${s}.cleaned`))))
    const logSwap = join(o.dir, segmentFileName(base, '.log.swap'))
    if (cleaned || !o.storage.exists(logSwap)) {
      for (const s of SEGMENT_SUFFIXES) {
        o.storage.remove(join(o.dir, segmentFileName(base, `${s}.cleaned`)))
        if (cleaned) o.storage.remove(join(o.dir, segmentFileName(base, `${s}.swap`)))
      }
      if (!cleaned) finishIndexRenames(o, base)
      continue
    }
    const swapped = LogSegment.open(o.storage, o.dir, base, o.settings, o.nowMs, '.swap')
    const problem = swapped.loadState(undefined, true)
    const end = problem ? base : swapped.nextOffset
    swapped.close()
    if (problem) {
      o.logger.warn(`log recovery: discarding cleaned segment ${logSwap} (${problem})`)
      for (const s of SEGMENT_SUFFIXES) o.storage.remove(join(o.dir, segmentFileName(base, `${s}.swap`)))
      continue
    }
    for (const name of names) {
      const other = parseSegmentFileName(name, '.log')
      if (other !== undefined && other > base && other < end) {
        for (const s of SEGMENT_SUFFIXES) o.storage.remove(join(o.dir, segmentFileName(other, s)))
      }
    }
    finishIndexRenames(o, base)
    o.storage.remove(join(o.dir, segmentFileName(base, '.log')))
    o.storage.rename(logSwap, join(o.dir, segmentFileName(base, '.log')))
    o.logger.info(`log recovery: completed the interrupted swap of cleaned segment ${segmentFileName(base, '.log')}`)
  }
}

function finishIndexRenames(o: LoadOptions, base: number): void {
  for (const s of ['.index', '.timeindex']) {
    const swap = join(o.dir, segmentFileName(base, `${s}.swap`))
    if (!o.storage.exists(swap)) continue
    const target = join(o.dir, segmentFileName(base, s))
    o.storage.remove(target)
    o.storage.rename(swap, target)
  }
}

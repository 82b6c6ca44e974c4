import { join } from 'node:path'
import type { StorageLogger } from '../log/logger.js'
import { parseSegmentFileName, segmentFileName } from '../log/segment.js'
import type { LogStorage } from '../log/storage.js'

/**
 * The aborted transactions of one partition, persisted as Kafka does: one `<base offset>.txnindex`
 * file per segment (the segment that was active when the ABORT marker was written), each a list of
 * 34-byte entries:
 *
 * ```
 * version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
 * ```
 *
 * `lastOffset` is the marker's offset and `lastStableOffset` the partition's last stable offset
 * right after the abort. All entries are held in memory, ordered by `lastOffset`; the files are
 * read once when the partition's producer state loads. Files outlive the segment they are named
 * after (retention and the cleaner know nothing of them): entries are dropped by offset instead,
 * once the log start offset passes them.
 */

/** One aborted transaction. */
export interface AbortedTxn {
  producerId: bigint
  /** The offset of its first batch in this partition. */
  firstOffset: number
  /** The offset of its ABORT marker. */
  lastOffset: number
  /** The last stable offset once it was aborted (lets a fetch stop searching early). */
  lastStableOffset: number
}

/** What a read_committed fetch reports of an aborted transaction. */
export interface AbortedRange {
  producerId: bigint
  firstOffset: bigint
}

interface Stored extends AbortedTxn {
  /** The base offset naming the file that holds it. */
  file: number
}

const SUFFIX = '.txnindex'
const ENTRY_SIZE = 34
const VERSION = 0

/** The aborted transactions of one partition; see the module description for the format. */
export class AbortedTxnIndex {
  private entries: Stored[] = []

  private constructor(
    private readonly storage: LogStorage,
    private readonly dir: string,
  ) {}

  /**
   * Reads the `.txnindex` files of a partition directory. Entries at or past `logEndOffset` (their
   * marker was lost in a crash) are removed from the files; an unreadable entry is skipped with a
   * warning.
   */
  static load(storage: LogStorage, dir: string, logEndOffset: number, logger: StorageLogger): AbortedTxnIndex {
    const index = new AbortedTxnIndex(storage, dir)
    for (const name of storage.list(dir)) {
      const base = parseSegmentFileName(name, SUFFIX)
      if (base === undefined) continue
      const bytes = storage.readAll(join(dir, name)) ?? Buffer.alloc(0)
      for (let at = 0; at + ENTRY_SIZE <= bytes.length; at += ENTRY_SIZE) {
        const version = bytes.readInt16BE(at)
        if (version !== VERSION) {
          logger.warn(`${join(dir, name)}: skipping an aborted-transaction entry of unknown version ${version}`)
          continue
        }
        index.entries.push({
          producerId: bytes.readBigInt64BE(at + 2),
          firstOffset: Number(bytes.readBigInt64BE(at + 10)),
          lastOffset: Number(bytes.readBigInt64BE(at + 18)),
          lastStableOffset: Number(bytes.readBigInt64BE(at + 26)),
          file: base,
        })
      }
    }
    index.entries.sort((a, b) => a.lastOffset - b.lastOffset)
    index.truncateTo(logEndOffset)
    return index
  }

  /** The marker offset of the newest entry, or -1. */
  get lastIndexedOffset(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.lastOffset : -1
  }

  /** Every entry, oldest first. */
  all(): AbortedTxn[] {
    return this.entries.map(({ file: _file, ...txn }) => txn)
  }

  /**
   * Records an abort in the file named after `segmentBase`. An entry whose marker is not newer than
   * the newest one already indexed is skipped: replaying a log tail after a crash meets markers
   * that were indexed before it.
   *
   * @throws the storage error when the file cannot be written; the entry is kept in memory.
   */
  append(txn: AbortedTxn, segmentBase: number): void {
    if (txn.lastOffset <= this.lastIndexedOffset) return
    // Memory first: fetches must hide the aborted records even when the file write fails.
    this.entries.push({ ...txn, file: segmentBase })
    const file = this.storage.open(this.pathOf(segmentBase))
    try {
      file.append(encodeEntry(txn))
    } finally {
      file.close()
    }
  }

  /**
   * The aborted transactions a read_committed fetch of `[fetchOffset, upperBound)` must report: those
   * whose marker is at or after `fetchOffset` and whose first offset is below `upperBound`. The scan
   * stops at the first abort after which the partition was stable up to `upperBound`, since no later
   * transaction can have started earlier.
   */
  collect(fetchOffset: number, upperBound: number): AbortedRange[] {
    const found: AbortedRange[] = []
    for (let i = this.firstEndingAtOrAfter(fetchOffset); i < this.entries.length; i++) {
      const e = this.entries[i]!
      if (e.firstOffset < upperBound) found.push({ producerId: e.producerId, firstOffset: BigInt(e.firstOffset) })
      if (e.lastStableOffset >= upperBound) break
    }
    return found
  }

  /** Drops the entries whose marker is at or past `offset` (the log was cut there), rewriting their files. */
  truncateTo(offset: number): void {
    const doomed = this.entries.filter((e) => e.lastOffset >= offset)
    if (doomed.length === 0) return
    this.entries = this.entries.filter((e) => e.lastOffset < offset)
    this.rewrite(new Set(doomed.map((e) => e.file)))
  }

  /** Forgets the entries whose marker is below the log start offset and deletes files left empty. */
  prune(logStartOffset: number): void {
    const doomed = this.entries.filter((e) => e.lastOffset < logStartOffset)
    if (doomed.length === 0) return
    this.entries = this.entries.filter((e) => e.lastOffset >= logStartOffset)
    this.rewrite(new Set(doomed.map((e) => e.file)))
  }

  private rewrite(files: ReadonlySet<number>): void {
    for (const base of files) {
      const kept = this.entries.filter((e) => e.file === base)
      if (kept.length === 0) this.storage.remove(this.pathOf(base))
      else this.storage.writeAtomic(this.pathOf(base), Buffer.concat(kept.map(encodeEntry)))
    }
  }

  private firstEndingAtOrAfter(offset: number): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private pathOf(base: number): string {
    return join(this.dir, segmentFileName(base, SUFFIX))
  }
}

function encodeEntry(e: AbortedTxn): Buffer {
  const buf = Buffer.alloc(ENTRY_SIZE)
  buf.writeInt16BE(VERSION, 0)
  buf.writeBigInt64BE(e.producerId, 2)
  buf.writeBigInt64BE(BigInt(e.firstOffset), 10)
  buf.writeBigInt64BE(BigInt(e.lastOffset), 18)
  buf.writeBigInt64BE(BigInt(e.lastStableOffset), 26)
  return buf
}

import { IndexFile } from './index-file.js'
import type { StoredFile } from './storage.js'

/** Bytes per time index entry: int64 timestamp, int32 offset relative to the segment base. */
export const TIME_INDEX_ENTRY_SIZE = 12

/** A timestamp and an offset. */
export interface TimestampOffset {
  timestamp: number
  offset: number
}

/**
 * The sparse time index of a segment (`.timeindex`), in Kafka's layout: 12-byte entries of (largest
 * timestamp so far, offset of the batch that carried it), timestamps strictly increasing. Written
 * beside offset index entries and once more when the segment is closed, so its last entry is the
 * segment's largest timestamp.
 *
 * @example
 * ```ts
 * const { offset } = index.lookup(targetTimestamp) // batches before this offset are all older
 * ```
 */
export class TimeIndex {
  private readonly entries: IndexFile

  constructor(
    file: StoredFile,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    this.entries = new IndexFile(file, TIME_INDEX_ENTRY_SIZE, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_SIZE))
  }

  get file(): StoredFile {
    return this.entries.file
  }

  get count(): number {
    return this.entries.count
  }

  get isFull(): boolean {
    return this.entries.isFull
  }

  entry(i: number): TimestampOffset {
    const b = this.entries.entryBytes(i)
    return { timestamp: Number(b.readBigInt64BE(0)), offset: this.baseOffset + b.readInt32BE(8) }
  }

  lastEntry(): TimestampOffset | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1)
  }

  /** Appends (timestamp, offset) when the timestamp is larger than the last entry's; else nothing. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry()
    if (last && (timestamp <= last.timestamp || offset < last.offset)) return
    const entry = Buffer.allocUnsafe(TIME_INDEX_ENTRY_SIZE)
    entry.writeBigInt64BE(BigInt(timestamp), 0)
    entry.writeInt32BE(offset - this.baseOffset, 8)
    this.entries.append(entry)
  }

  /**
   * The last entry whose timestamp is at most `target`, or (-1, baseOffset) when there is none: no
   * record before that entry's offset has a timestamp above `target`.
   */
  lookup(target: number): TimestampOffset {
    const i = this.entries.floor(target, (b, at) => Number(b.readBigInt64BE(at)))
    return i < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(i)
  }

  /** Removes the entries for offsets at or above `offset`. */
  truncateTo(offset: number): void {
    let keep = this.count
    while (keep > 0 && this.entry(keep - 1).offset >= offset) keep--
    this.entries.truncateEntries(keep)
  }

  reset(): void {
    this.entries.truncateEntries(0)
  }

  /**
   * Why this index cannot be trusted for offsets ending before `endOffset`, or undefined; `thorough`
   * checks every entry rather than the size and the last two.
   */
  problem(endOffset: number, thorough: boolean): string | undefined {
    if (!this.entries.hasWholeEntries) return `size ${this.file.size()} is not a multiple of ${TIME_INDEX_ENTRY_SIZE}`
    let prev: TimestampOffset | undefined
    for (let i = thorough ? 0 : Math.max(0, this.count - 2); i < this.count; i++) {
      const e = this.entry(i)
      if (e.offset < this.baseOffset || e.offset >= endOffset) return `entry ${i} names offset ${e.offset}, outside [${this.baseOffset}, ${endOffset})`
      if (prev && (e.timestamp <= prev.timestamp || e.offset < prev.offset)) return `entry ${i} does not increase`
      prev = e
    }
    return undefined
  }
}

import { IndexFile } from './index-file.js'
import type { StoredFile } from './storage.js'

/** Bytes per offset index entry: int32 offset relative to the segment base, int32 file position. */
export const OFFSET_INDEX_ENTRY_SIZE = 8

/** An offset and the log file position of the batch holding it. */
export interface OffsetPosition {
  offset: number
  position: number
}

/**
 * The sparse offset index of a segment (`.index`), in Kafka's layout: 8-byte entries of (offset
 * relative to the segment base, position in the `.log`), strictly increasing. An entry is written
 * after every `index.interval.bytes` of log; it names the last offset of a batch and the position
 * where that batch starts, so a lookup lands at or before the batch holding any later offset.
 *
 * @example
 * ```ts
 * const { position } = index.lookup(fetchOffset) // scan batches from here
 * ```
 */
export class OffsetIndex {
  private readonly entries: IndexFile

  constructor(
    file: StoredFile,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    this.entries = new IndexFile(file, OFFSET_INDEX_ENTRY_SIZE, Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_SIZE))
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

  /** The entry at `i` (0-based). */
  entry(i: number): OffsetPosition {
    const b = this.entries.entryBytes(i)
    return { offset: this.baseOffset + b.readInt32BE(0), position: b.readInt32BE(4) }
  }

  lastEntry(): OffsetPosition | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1)
  }

  /** Records that the batch ending at `offset` starts at `position`. Offsets must increase. */
  append(offset: number, position: number): void {
    const last = this.lastEntry()
    if (last && (offset <= last.offset || position <= last.position)) {
      throw new Error(`offset index entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`)
    }
    const entry = Buffer.allocUnsafe(OFFSET_INDEX_ENTRY_SIZE)
    entry.writeInt32BE(offset - this.baseOffset, 0)
    entry.writeInt32BE(position, 4)
    this.entries.append(entry)
  }

  /** The last entry whose offset is at most `target`, or (baseOffset, 0) when there is none. */
  lookup(target: number): OffsetPosition {
    const i = this.entries.floor(target - this.baseOffset, (b, at) => b.readInt32BE(at))
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i)
  }

  /** Removes the entries for offsets at or above `offset`. */
  truncateTo(offset: number): void {
    this.entries.truncateEntries(this.entries.floor(offset - 1 - this.baseOffset, (b, at) => b.readInt32BE(at)) + 1)
  }

  /** Removes every entry. */
  reset(): void {
    this.entries.truncateEntries(0)
  }

  /**
   * Why this index cannot be trusted for a log of `logSize` bytes whose offsets end before
   * `endOffset`, or undefined when it looks sound. Kafka's sanity check looks at the size and last
   * entries; `thorough` checks every entry.
   */
  problem(logSize: number, endOffset: number, thorough: boolean): string | undefined {
    if (!this.entries.hasWholeEntries) return `size ${this.file.size()} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}`
    let prev: OffsetPosition | undefined
    for (let i = thorough ? 0 : Math.max(0, this.count - 2); i < this.count; i++) {
      const e = this.entry(i)
      if (e.offset < this.baseOffset || e.offset >= endOffset) return `entry ${i} names offset ${e.offset}, outside [${this.baseOffset}, ${endOffset})`
      if (e.position < 0 || e.position >= logSize) return `entry ${i} names position ${e.position}, outside the ${logSize}-byte log`
      if (prev && (e.offset <= prev.offset || e.position <= prev.position)) return `entry ${i} does not increase`
      prev = e
    }
    return undefined
  }
}

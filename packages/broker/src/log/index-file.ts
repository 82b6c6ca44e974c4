import { readBytes, type StoredFile } from './storage.js'

/**
 * Fixed-size entries kept in a file and mirrored in memory. The file is only appended to and
 * truncated; the memory copy is loaded on first use, so segments nobody reads cost no memory.
 */
export class IndexFile {
  private bytes: Buffer | undefined
  private used = 0

  constructor(
    readonly file: StoredFile,
    readonly entrySize: number,
    /** Entries the index may hold before its segment must roll. */
    readonly maxEntries: number,
  ) {}

  /** Entries in the file (whole entries only; a torn tail entry is not counted). */
  get count(): number {
    return this.bytes ? this.used / this.entrySize : Math.floor(this.file.size() / this.entrySize)
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries
  }

  /** Whether the file size is a whole number of entries. */
  get hasWholeEntries(): boolean {
    return this.file.size() % this.entrySize === 0
  }

  /** The in-memory copy of the entries, loaded on first use. */
  view(): Buffer {
    if (!this.bytes) {
      const whole = this.count * this.entrySize
      const data = readBytes(this.file, 0, whole)
      this.bytes = Buffer.allocUnsafe(Math.max(64, data.length * 2))
      data.copy(this.bytes)
      this.used = data.length
    }
    return this.bytes
  }

  /**
   * The bytes of entry `i`: from memory when loaded, else read from the file, so looking at the last
   * entry does not load the whole index.
   */
  entryBytes(i: number): Buffer {
    const at = i * this.entrySize
    if (this.bytes) return this.bytes.subarray(at, at + this.entrySize)
    return readBytes(this.file, at, this.entrySize)
  }

  /** Appends one encoded entry to the file and the memory copy. */
  append(entry: Buffer): void {
    let bytes = this.view()
    if (this.file.size() !== this.used) this.file.truncate(this.used)
    this.file.append(entry)
    if (this.used + entry.length > bytes.length) {
      const grown = Buffer.allocUnsafe(bytes.length * 2)
      bytes.copy(grown, 0, 0, this.used)
      this.bytes = bytes = grown
    }
    entry.copy(bytes, this.used)
    this.used += entry.length
  }

  /** Keeps the first `n` entries. */
  truncateEntries(n: number): void {
    this.view()
    const keep = Math.min(n, this.count) * this.entrySize
    this.file.truncate(keep)
    this.used = keep
  }

  /**
   * Index of the last entry whose key (read by `keyOf`) is at most `target`, or -1 when none is:
   * a binary search, entries being sorted by key.
   */
  floor(target: number, keyOf: (bytes: Buffer, at: number) => number): number {
    const bytes = this.view()
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (keyOf(bytes, mid * this.entrySize) <= target) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}

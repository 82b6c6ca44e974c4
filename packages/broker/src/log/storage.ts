/**
 * The file abstraction the log is written against. Two implementations exist: {@link FileStorage}
 * (the real filesystem, synchronous calls) and {@link MemoryStorage} (for `storage: 'memory'` and
 * tests). Paths are plain strings built with `node:path`; both implementations treat them alike.
 *
 * Every call is synchronous and bounded by its arguments: an append writes the bytes given, a read
 * reads at most the bytes asked for. Errors are thrown as they come (Node's `ENOENT`, `ENOSPC`, ...);
 * the log wraps them into `KAFKA_STORAGE_ERROR`.
 */
export interface LogStorage {
  /** `'file'` or `'memory'`: whether data outlives the process. */
  readonly kind: 'file' | 'memory'
  /** Creates a directory and its parents; nothing happens when it exists. */
  mkdirs(dir: string): void
  /** The names (not paths) of the entries directly inside `dir`; empty when `dir` does not exist. */
  list(dir: string): string[]
  /** Whether a file or directory exists at `path`. */
  exists(path: string): boolean
  /** Whether `path` is a directory. */
  isDirectory(path: string): boolean
  /** Opens a file for appending and reading, creating it (empty) when missing. */
  open(path: string): StoredFile
  /** The whole content of a small file, or undefined when it does not exist. */
  readAll(path: string): Buffer | undefined
  /**
   * Replaces a small file atomically: the content goes to `path + '.tmp'`, is synced, then renamed
   * over `path`, so a crash leaves either the old or the new content, never a mix.
   */
  writeAtomic(path: string, data: Uint8Array): void
  /** Renames a file (replacing any file at `to`) or a directory (to a name not in use). */
  rename(from: string, to: string): void
  /** Deletes a file; nothing happens when it does not exist. */
  remove(path: string): void
  /** Deletes a directory and everything in it; nothing happens when it does not exist. */
  removeDir(dir: string): void
}

/** An open file of the log: appended at the end, read anywhere, truncated from the end. */
export interface StoredFile {
  readonly path: string
  /** The current length in bytes. */
  size(): number
  /** Writes all of `data` at the end of the file; when this returns the bytes are in the OS. */
  append(data: Uint8Array): void
  /**
   * Copies up to `length` bytes starting at file position `position` into `target` at
   * `targetOffset`; returns how many were copied (fewer at the end of the file).
   */
  readInto(target: Uint8Array, targetOffset: number, length: number, position: number): number
  /** Cuts the file to `size` bytes (never grows it). */
  truncate(size: number): void
  /** Forces written data to stable storage (fsync); a no-op in memory. */
  sync(): void
  /** {@link sync} without blocking the event loop, for background flushes. */
  syncAsync(): Promise<void>
  /** Releases the file. Later calls reopen it, so closing is always safe. */
  close(): void
}

/**
 * Reads `length` bytes at `position` into a new buffer; the result is shorter when the file ends
 * first.
 */
export function readBytes(file: StoredFile, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, length))
  const n = length > 0 ? file.readInto(buf, 0, length, position) : 0
  return n === buf.length ? buf : buf.subarray(0, n)
}

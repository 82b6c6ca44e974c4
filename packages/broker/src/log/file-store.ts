import * as fs from 'node:fs'
import { dirname } from 'node:path'
import type { LogStorage, StoredFile } from './storage.js'

/**
 * {@link LogStorage} on the real filesystem with synchronous `node:fs` calls. Appends complete a
 * `write(2)` before returning, so data survives a crash of the process; `sync()` adds `fsync(2)` for
 * a crash of the machine.
 *
 * @example
 * ```ts
 * const storage = new FileStorage()
 * const file = storage.open('/data/orders-0/00000000000000000000.log')
 * file.append(batchBytes)
 * ```
 */
export class FileStorage implements LogStorage {
  readonly kind = 'file' as const

  mkdirs(dir: string): void {
    fs.mkdirSync(dir, { recursive: true })
  }

  list(dir: string): string[] {
    try {
      return fs.readdirSync(dir)
    } catch (err) {
      if (isNotFound(err)) return []
      throw err
    }
  }

  exists(path: string): boolean {
    return fs.existsSync(path)
  }

  isDirectory(path: string): boolean {
    try {
      return fs.statSync(path).isDirectory()
    } catch (err) {
      if (isNotFound(err)) return false
      throw err
    }
  }

  open(path: string): StoredFile {
    return new DiskFile(path)
  }

  readAll(path: string): Buffer | undefined {
    try {
      return fs.readFileSync(path)
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  writeAtomic(path: string, data: Uint8Array): void {
    const tmp = `${path}.tmp`
    const fd = fs.openSync(tmp, 'w')
    try {
      for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, null)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, path)
    syncDirectory(dirname(path))
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to)
  }

  remove(path: string): void {
    fs.rmSync(path, { force: true })
  }

  removeDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** An open file; `close()` releases the descriptor and the next operation opens it again. */
class DiskFile implements StoredFile {
  private fd: number | undefined
  private length: number

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a+')
    this.length = fs.fstatSync(this.fd).size
  }

  private handle(): number {
    if (this.fd === undefined) this.fd = fs.openSync(this.path, 'a+')
    return this.fd
  }

  size(): number {
    return this.length
  }

  append(data: Uint8Array): void {
    // Opened with 'a+': every write goes to the end. A failed write may still have written part of
    // the data; counting it keeps size() true, so the caller can cut it off again.
    const fd = this.handle()
    let done = 0
    try {
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, null)
    } finally {
      this.length += done
    }
  }

  readInto(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    const want = Math.min(length, this.length - position, target.length - targetOffset)
    let done = 0
    while (done < want) {
      const n = fs.readSync(this.handle(), target, targetOffset + done, want - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  truncate(size: number): void {
    if (size >= this.length) return
    fs.ftruncateSync(this.handle(), size)
    this.length = size
  }

  sync(): void {
    if (this.fd !== undefined) fs.fsyncSync(this.fd)
  }

  syncAsync(): Promise<void> {
    const fd = this.fd
    if (fd === undefined) return Promise.resolve()
    return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())))
  }

  close(): void {
    if (this.fd === undefined) return
    const fd = this.fd
    this.fd = undefined
    fs.closeSync(fd)
  }
}

/** Makes a rename durable where the platform allows opening directories; elsewhere a no-op. */
function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Directories cannot be opened or synced on some platforms (Windows); the rename still happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

import { dirname, join, normalize } from 'node:path'
import type { LogStorage, StoredFile } from './storage.js'

const PAGE_SIZE = 1 << 20

/**
 * {@link LogStorage} held in process memory, for `storage: 'memory'` brokers and tests. Files are
 * kept in 1 MiB pages so a growing segment never reallocates what it already holds. Nothing survives
 * the process; reopening the same `MemoryStorage` instance sees everything written to it, which is
 * how tests simulate a restart.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage()
 * const manager = await LogManager.open({ storage })
 * ```
 */
export class MemoryStorage implements LogStorage {
  readonly kind = 'memory' as const
  private readonly files = new Map<string, MemoryFileData>()
  private readonly dirs = new Set<string>()

  mkdirs(dir: string): void {
    let d = normalize(dir)
    while (!this.dirs.has(d)) {
      this.dirs.add(d)
      const parent = dirname(d)
      if (parent === d) break
      d = parent
    }
  }

  list(dir: string): string[] {
    const d = normalize(dir)
    const names = new Set<string>()
    for (const path of [...this.files.keys(), ...this.dirs]) {
      if (path !== d && dirname(path) === d) names.add(path.slice(d.length).replace(/^[\\/]/, ''))
    }
    return [...names]
  }

  exists(path: string): boolean {
    const p = normalize(path)
    return this.files.has(p) || this.dirs.has(p)
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(normalize(path))
  }

  open(path: string): StoredFile {
    const p = normalize(path)
    let data = this.files.get(p)
    if (!data) {
      this.requireParent(p)
      data = new MemoryFileData()
      this.files.set(p, data)
    }
    return new MemoryFile(p, data)
  }

  readAll(path: string): Buffer | undefined {
    const data = this.files.get(normalize(path))
    if (!data) return undefined
    const out = Buffer.alloc(data.length)
    data.readInto(out, 0, data.length, 0)
    return out
  }

  writeAtomic(path: string, data: Uint8Array): void {
    const p = normalize(path)
    this.requireParent(p)
    const file = new MemoryFileData()
    file.append(data)
    this.files.set(p, file)
  }

  rename(from: string, to: string): void {
    const f = normalize(from)
    const t = normalize(to)
    if (this.dirs.has(f)) return this.renameDir(f, t)
    const data = this.files.get(f)
    if (!data) throw notFound('rename', f)
    this.requireParent(t)
    this.files.delete(f)
    this.files.set(t, data)
  }

  private renameDir(from: string, to: string): void {
    this.requireParent(to)
    const moved = (p: string) => to + p.slice(from.length)
    const inside = (p: string) => p === from || p.startsWith(join(from, '/'))
    for (const [p, data] of [...this.files]) {
      if (!inside(p)) continue
      this.files.delete(p)
      this.files.set(moved(p), data)
    }
    for (const p of [...this.dirs]) {
      if (!inside(p)) continue
      this.dirs.delete(p)
      this.dirs.add(moved(p))
    }
  }

  remove(path: string): void {
    this.files.delete(normalize(path))
  }

  removeDir(dir: string): void {
    const d = normalize(dir)
    const inside = (p: string) => p === d || p.startsWith(join(d, '/'))
    for (const p of [...this.files.keys()]) if (inside(p)) this.files.delete(p)
    for (const p of [...this.dirs]) if (inside(p)) this.dirs.delete(p)
  }

  private requireParent(path: string): void {
    if (!this.dirs.has(dirname(path))) throw notFound('open', path)
  }
}

/** The bytes of one in-memory file, in fixed-size pages. */
class MemoryFileData {
  readonly pages: Buffer[] = []
  length = 0

  append(data: Uint8Array): void {
    let done = 0
    while (done < data.length) {
      const pageIndex = Math.floor(this.length / PAGE_SIZE)
      const within = this.length % PAGE_SIZE
      if (pageIndex === this.pages.length) this.pages.push(Buffer.allocUnsafe(PAGE_SIZE))
      const n = Math.min(PAGE_SIZE - within, data.length - done)
      this.pages[pageIndex]!.set(data.subarray(done, done + n), within)
      done += n
      this.length += n
    }
  }

  readInto(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    const want = Math.max(0, Math.min(length, this.length - position, target.length - targetOffset))
    let done = 0
    while (done < want) {
      const at = position + done
      const page = this.pages[Math.floor(at / PAGE_SIZE)]!
      const within = at % PAGE_SIZE
      const n = Math.min(PAGE_SIZE - within, want - done)
      target.set(page.subarray(within, within + n), targetOffset + done)
      done += n
    }
    return done
  }

  truncate(size: number): void {
    if (size >= this.length) return
    this.length = size
    this.pages.length = Math.ceil(size / PAGE_SIZE)
  }
}

class MemoryFile implements StoredFile {
  /** Like a file descriptor, the handle keeps its bytes even when the path is renamed or removed. */
  constructor(
    readonly path: string,
    private readonly data: MemoryFileData,
  ) {}

  size(): number {
    return this.data.length
  }

  append(data: Uint8Array): void {
    this.data.append(data)
  }

  readInto(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    return this.data.readInto(target, targetOffset, length, position)
  }

  truncate(size: number): void {
    this.data.truncate(size)
  }

  sync(): void {}

  syncAsync(): Promise<void> {
    return Promise.resolve()
  }

  close(): void {}
}

function notFound(op: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, ${op} '${path}'`)
  err.code = 'ENOENT'
  return err
}

import { mapKeyOf, metaKeyBytes, metaNameOf, packState, unpackState } from './codec.js'

/** One change to write to a changelog: MessagePack key and value, or a null value for a deletion. */
export interface ChangelogWrite {
  key: Buffer
  value: Buffer | null
}

interface Entry<V> {
  key: unknown
  value: V
}

/** A key's value at the last commit, encoded (so that later in-place changes cannot alter it); undefined when absent. */
interface Saved {
  key: unknown
  value: Buffer | undefined
}

/**
 * One partition of a state store: values by key in memory, plus what changed since the last commit.
 * At a commit the runner writes those changes to the store's changelog (the latest value per key, as
 * Kafka Streams' record cache does) and calls {@link commit}; when a transaction is aborted it calls
 * {@link rollback}, which puts back the values of the last commit. Keys are compared by value: strings
 * as they are, anything else by its MessagePack encoding.
 *
 * A key's committed value is saved (encoded) the first time the key is read or written after a
 * commit, so a rollback is right even when an aggregator changed the stored object in place.
 *
 * @example
 * ```ts
 * const store = new KeyValueStore<number>('totals', 0)
 * store.put('c-1', 42)
 * store.changes() // [{ key: <msgpack 'c-1'>, value: <msgpack 42> }]
 * store.commit()
 * ```
 */
export class KeyValueStore<V> {
  private readonly data = new Map<string, Entry<V>>()
  private readonly saved = new Map<string, Saved>()
  private readonly changed = new Set<string>()
  private readonly meta = new Map<string, unknown>()
  private readonly metaUndo = new Map<string, unknown>()

  constructor(
    readonly name: string,
    readonly partition: number,
    /** Whether changes are tracked for commits and rollbacks (not for stores outside a runner). */
    private readonly tracked = true,
  ) {}

  get size(): number {
    return this.data.size
  }

  get(key: unknown): V | undefined {
    const k = mapKeyOf(key)
    const entry = this.data.get(k)
    if (this.tracked && !this.saved.has(k)) this.save(k, key, entry)
    return entry?.value
  }

  /** Sets the value of `key`. */
  put(key: unknown, value: V): void {
    const k = mapKeyOf(key)
    if (this.tracked) {
      if (!this.saved.has(k)) this.save(k, key, this.data.get(k))
      this.changed.add(k)
    }
    this.data.set(k, { key, value })
  }

  delete(key: unknown): void {
    const k = mapKeyOf(key)
    const entry = this.data.get(k)
    if (entry === undefined) return
    if (this.tracked) {
      if (!this.saved.has(k)) this.save(k, key, entry)
      this.changed.add(k)
    }
    this.data.delete(k)
  }

  private save(k: string, key: unknown, entry: Entry<V> | undefined): void {
    this.saved.set(k, { key: entry ? entry.key : key, value: entry === undefined ? undefined : packState(entry.value) })
  }

  /** Every key and value. */
  *entries(): IterableIterator<[unknown, V]> {
    for (const e of this.data.values()) yield [e.key, e.value]
  }

  /** A metadata value kept with the store (for example the partition's stream time). */
  getMeta<T>(name: string): T | undefined {
    return this.meta.get(name) as T | undefined
  }

  setMeta(name: string, value: unknown): void {
    if (this.tracked && !this.metaUndo.has(name)) this.metaUndo.set(name, this.meta.get(name))
    this.meta.set(name, value)
  }

  /** Whether anything changed since the last commit. */
  get dirty(): boolean {
    return this.changed.size > 0 || this.metaUndo.size > 0
  }

  /** What changed since the last commit, as changelog records (the current value of each changed key). */
  changes(): ChangelogWrite[] {
    const out: ChangelogWrite[] = []
    for (const k of this.changed) {
      const entry = this.data.get(k)
      const saved = this.saved.get(k)!
      if (entry === undefined && saved.value === undefined) continue
      out.push({ key: packState(entry ? entry.key : saved.key), value: entry ? packState(entry.value) : null })
    }
    for (const name of this.metaUndo.keys()) out.push({ key: metaKeyBytes(name), value: packState(this.meta.get(name)) })
    return out
  }

  /** The changes are committed: they become what a rollback returns to. */
  commit(): void {
    this.saved.clear()
    this.changed.clear()
    this.metaUndo.clear()
  }

  /** Puts back the values of the last commit. */
  rollback(): void {
    for (const [k, saved] of this.saved) {
      if (saved.value === undefined) this.data.delete(k)
      else this.data.set(k, { key: saved.key, value: unpackState(saved.value) as V })
    }
    for (const [name, value] of this.metaUndo) {
      if (value === undefined) this.meta.delete(name)
      else this.meta.set(name, value)
    }
    this.commit()
  }

  /** Applies one changelog record while restoring (not tracked as a change). */
  restore(key: Buffer, value: Buffer | null): void {
    const metaName = metaNameOf(key)
    if (metaName !== undefined) {
      if (value === null) this.meta.delete(metaName)
      else this.meta.set(metaName, unpackState(value))
      return
    }
    const decodedKey = unpackState(key)
    const k = mapKeyOf(decodedKey)
    if (value === null) this.data.delete(k)
    else this.data.set(k, { key: decodedKey, value: unpackState(value) as V })
  }
}

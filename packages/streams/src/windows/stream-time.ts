import type { KeyValueStore } from '../state/key-value-store.js'

/** What one record did to a key's windows: the windows to emit (null: merged away) and those it was too late for. */
export interface WindowUpdate<K, A> {
  emitted: { key: K; window: { start: number; end: number }; value: A | null; timestamp: number }[]
  late: { start: number; end: number }[]
}

const STREAM_TIME = 'streamTime'
const SWEEP_EVERY = 1_000
const updatesSinceSweep = new WeakMap<object, number>()

/**
 * Moves the store partition's stream time (the highest record timestamp seen) to `t` if later, and
 * returns it. It is kept in the store, so it survives restarts and moves with the partition.
 */
export function advanceStreamTime(store: KeyValueStore<unknown>, t: number): number {
  const current = store.getMeta<number>(STREAM_TIME)
  if (current !== undefined && current >= t) return current
  store.setMeta(STREAM_TIME, t)
  return t
}

/**
 * Every {@link SWEEP_EVERY} updates, lets `prune` drop expired windows of every key of the store
 * partition (each update prunes its own key as it goes), so keys that stop receiving records do not
 * keep closed windows forever. `prune` returns the entries to keep; an empty list deletes the key.
 */
export function sweepExpired<E>(store: KeyValueStore<E[]>, prune: (entries: E[]) => E[]): void {
  const n = (updatesSinceSweep.get(store) ?? 0) + 1
  if (n < SWEEP_EVERY) {
    updatesSinceSweep.set(store, n)
    return
  }
  updatesSinceSweep.set(store, 0)
  for (const [key, entries] of [...store.entries()]) {
    const kept = prune(entries)
    if (kept.length === 0) store.delete(key)
    else if (kept.length !== entries.length) store.put(key, kept)
  }
}

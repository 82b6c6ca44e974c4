import type { KeyValueStore } from '../state/key-value-store.js'
import { advanceStreamTime, sweepExpired, type WindowUpdate } from './stream-time.js'
import type { SessionWindows } from './windows.js'

/** One session of a key: first and last record timestamps, and the aggregate. */
export type SessionSlot<A> = [start: number, end: number, aggregate: A]

/**
 * Adds a record to the sessions of its key held in `store`. The record joins every session within
 * `gapMs` of it (merging them: the merged-away sessions are emitted with a null value, then the merged
 * one). A record is late when `t + gap + grace` is below stream time; since accepted records are never
 * that old, a session ending more than `2 · gap` before `stream time − grace` can never change again
 * and is dropped from the store.
 */
export function updateSessions<T extends { key: unknown; timestamp: number }, A>(
  store: KeyValueStore<SessionSlot<A>[]>,
  windows: SessionWindows,
  record: T,
  initializer: (key: T['key']) => A,
  aggregator: (aggregate: A, record: T) => A,
  merger: (a: A, b: A) => A,
): WindowUpdate<T['key'], A> {
  const t = record.timestamp
  const streamTime = advanceStreamTime(store as KeyValueStore<unknown>, t)
  const { gapMs, graceMs } = windows
  const update: WindowUpdate<T['key'], A> = { emitted: [], late: [] }
  if (t + gapMs + graceMs < streamTime) {
    update.late.push({ start: t, end: t })
    return update
  }
  const horizon = streamTime - graceMs - 2 * gapMs
  const live = (s: SessionSlot<A>) => s[1] >= horizon
  const kept: SessionSlot<A>[] = []
  const merged: SessionSlot<A>[] = []
  for (const s of store.get(record.key) ?? []) {
    if (!live(s)) continue
    if (s[0] - gapMs <= t && t <= s[1] + gapMs) merged.push(s)
    else kept.push(s)
  }
  let start = t
  let end = t
  let value: A | undefined
  for (const [s, e, a] of merged) {
    start = Math.min(start, s)
    end = Math.max(end, e)
    value = value === undefined ? a : merger(value, a)
  }
  value = aggregator(value === undefined ? initializer(record.key) : value, record)
  for (const [s, e] of merged) {
    if (s !== start || e !== end) update.emitted.push({ key: record.key, window: { start: s, end: e }, value: null, timestamp: t })
  }
  update.emitted.push({ key: record.key, window: { start, end }, value, timestamp: t })
  const at = kept.findIndex((s) => s[0] > start)
  kept.splice(at < 0 ? kept.length : at, 0, [start, end, value])
  store.put(record.key, kept)
  sweepExpired(store, (entries) => entries.filter(live))
  return update
}

import type { KeyValueStore } from '../state/key-value-store.js'
import { advanceStreamTime, sweepExpired, type WindowUpdate } from './stream-time.js'
import { windowStartsFor, type TimeWindows } from './windows.js'

/** One open time window of a key: its start and aggregate. */
export type TimeSlot<A> = [start: number, aggregate: A]

/**
 * Adds a record to the time windows of its key held in `store` (a list of open windows per key),
 * dropping windows that have closed. A window `[start, start + size)` is closed once stream time has
 * reached its end + grace; a record whose window is closed is late for it.
 */
export function updateTimeWindows<T extends { key: unknown; timestamp: number }, A>(
  store: KeyValueStore<TimeSlot<A>[]>,
  windows: TimeWindows,
  record: T,
  initializer: (key: T['key']) => A,
  aggregator: (aggregate: A, record: T) => A,
): WindowUpdate<T['key'], A> {
  const t = record.timestamp
  const streamTime = advanceStreamTime(store as KeyValueStore<unknown>, t)
  const { sizeMs, graceMs } = windows
  const open = (slot: TimeSlot<A>) => slot[0] + sizeMs + graceMs > streamTime
  const previous = store.get(record.key)
  const slots = previous ? previous.filter(open) : []
  const update: WindowUpdate<T['key'], A> = { emitted: [], late: [] }
  for (const start of windowStartsFor(windows, t)) {
    const end = start + sizeMs
    if (end + graceMs <= streamTime) {
      update.late.push({ start, end })
      continue
    }
    const i = slots.findIndex((s) => s[0] >= start)
    const existing = i >= 0 && slots[i]![0] === start ? slots[i]! : undefined
    const value = aggregator(existing ? existing[1] : initializer(record.key), record)
    if (existing) slots[i] = [start, value]
    else slots.splice(i < 0 ? slots.length : i, 0, [start, value])
    update.emitted.push({ key: record.key, window: { start, end }, value, timestamp: t })
  }
  if (slots.length > 0) store.put(record.key, slots)
  else if (previous) store.delete(record.key)
  sweepExpired(store, (entries) => entries.filter(open))
  return update
}

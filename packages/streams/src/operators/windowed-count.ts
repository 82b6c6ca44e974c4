import type { OperatorFunction } from 'rxjs'
import type { WindowedRecord } from '../record.js'
import type { SessionWindows, TimeWindows, Windows } from '../windows/windows.js'
import { windowedAggregate, type TimedRecord, type WindowedOptions } from './windowed-aggregate.js'

/**
 * Counts the records of each key per window of event time and emits the window's new count after
 * every record (for sessions, a session merged into another is emitted again with a null count).
 * Records arriving after their window's grace period are dropped and reported to `onLate`.
 *
 * @example
 * ```ts
 * clicks$.pipe(windowedCount(tumbling({ sizeMs: 60_000, graceMs: 10_000 }), { store: 'clicks-per-minute', onLate: (r) => console.warn('late', r.offset) }))
 * // { key: '/home', window: { start: 1700000040000, end: 1700000100000 }, value: 7, timestamp }
 * ```
 * @param windows - {@link tumbling}, {@link hopping} or {@link session} windows
 * @param options - `store` (required inside a runner) and `onLate`
 */
export function windowedCount<T extends TimedRecord>(windows: TimeWindows, options?: WindowedOptions<T>): OperatorFunction<T, WindowedRecord<T['key'], number>>
export function windowedCount<T extends TimedRecord>(windows: SessionWindows, options?: WindowedOptions<T>): OperatorFunction<T, WindowedRecord<T['key'], number | null>>
export function windowedCount<T extends TimedRecord>(windows: Windows, options: WindowedOptions<T> = {}): OperatorFunction<T, WindowedRecord<T['key'], number | null>> {
  const one = () => 0
  const add = (n: number) => n + 1
  if (windows.kind === 'time') return windowedAggregate<T, number>(windows, one, add, options)
  return windowedAggregate<T, number>(windows, one, add, { ...options, merger: (a, b) => a + b })
}

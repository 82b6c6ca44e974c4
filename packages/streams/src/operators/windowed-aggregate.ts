import { Observable, type OperatorFunction } from 'rxjs'
import type { Keyed, WindowBounds, WindowedRecord } from '../record.js'
import type { KeyValueStore } from '../state/key-value-store.js'
import { storeAccess } from '../state/store-access.js'
import { updateSessions, type SessionSlot } from '../windows/session-state.js'
import type { WindowUpdate } from '../windows/stream-time.js'
import { updateTimeWindows, type TimeSlot } from '../windows/time-window-state.js'
import type { SessionWindows, TimeWindows, Windows } from '../windows/windows.js'

/** Options of the windowed operators. */
export interface WindowedOptions<T> {
  /** The store's name; required inside a runner (it names the changelog topic). */
  store?: string
  /**
   * Called for every record dropped because it arrived after its windows closed (grace period
   * included), with the windows it was too late for. Inside a runner the drops are also counted in
   * `app.metrics().lateRecords`.
   */
  onLate?: (record: T, windows: WindowBounds[]) => void
}

/** A record with a key and an event time. */
export type TimedRecord = Keyed & { readonly timestamp: number }

/**
 * Aggregates the records of each key per window of event time (the records' `timestamp`) and emits the
 * window's new aggregate after every record: time windows from {@link tumbling} or {@link hopping}, or
 * {@link session} windows (which need `merger` to combine the aggregates of sessions a record joins;
 * a session merged into another is emitted once more with a null value). Stream time is the highest
 * timestamp seen in the partition; records later than a window's grace period are dropped and
 * reported to `onLate`.
 *
 * @example
 * ```ts
 * payments$.pipe(
 *   windowedAggregate(tumbling({ sizeMs: 60_000, graceMs: 5_000 }), () => 0, (sum, r) => sum + r.value.amount, { store: 'per-minute' }),
 *   map(({ key, window, value }) => ({ key: `${key}@${window.start}`, value })),
 * )
 * ```
 * @param windows - the window definition
 * @param initializer - a window's aggregate before its first record
 * @param aggregator - the aggregate after one more record (return a new value)
 * @param options - `store`, `onLate`, and `merger` for session windows
 */
export function windowedAggregate<T extends TimedRecord, A>(
  windows: TimeWindows,
  initializer: (key: T['key']) => A,
  aggregator: (aggregate: A, record: T) => A,
  options?: WindowedOptions<T>,
): OperatorFunction<T, WindowedRecord<T['key'], A>>
export function windowedAggregate<T extends TimedRecord, A>(
  windows: SessionWindows,
  initializer: (key: T['key']) => A,
  aggregator: (aggregate: A, record: T) => A,
  options: WindowedOptions<T> & { merger: (a: A, b: A) => A },
): OperatorFunction<T, WindowedRecord<T['key'], A | null>>
export function windowedAggregate<T extends TimedRecord, A>(
  windows: Windows,
  initializer: (key: T['key']) => A,
  aggregator: (aggregate: A, record: T) => A,
  options: WindowedOptions<T> & { merger?: (a: A, b: A) => A } = {},
): OperatorFunction<T, WindowedRecord<T['key'], A | null>> {
  const merger = options.merger
  if (windows.kind === 'session' && !merger) throw new TypeError('windowedAggregate() over session windows needs options.merger to combine the aggregates of merged sessions')
  return (source) =>
    new Observable<WindowedRecord<T['key'], A | null>>((subscriber) => {
      const access = storeAccess<unknown>(options.store, 'windowedAggregate')
      return source.subscribe({
        next: (record) => {
          if (record.key === null || record.key === undefined) return
          let update: WindowUpdate<T['key'], A>
          try {
            const store = access.current()
            update =
              windows.kind === 'time'
                ? updateTimeWindows(store as KeyValueStore<TimeSlot<A>[]>, windows, record, initializer, aggregator)
                : updateSessions(store as KeyValueStore<SessionSlot<A>[]>, windows, record, initializer, aggregator, merger!)
            if (update.late.length > 0) {
              access.late(1)
              options.onLate?.(record, update.late)
            }
          } catch (err) {
            subscriber.error(err)
            return
          }
          for (const emitted of update.emitted) subscriber.next(emitted)
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      })
    })
}

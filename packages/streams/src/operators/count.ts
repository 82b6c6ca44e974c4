import type { OperatorFunction } from 'rxjs'
import type { Keyed, KeyValue } from '../record.js'
import { keyedUpdate, type StoreOptions } from './keyed-update.js'

/**
 * Counts records per key and emits the key's new count after every record.
 *
 * @example
 * ```ts
 * clicks$.pipe(count({ store: 'clicks-per-page' })) // { key: '/home', value: 3, timestamp }
 * ```
 * @param options - `store`: the store's name (required inside a runner)
 */
export function count<T extends Keyed>(options: StoreOptions = {}): OperatorFunction<T, KeyValue<T['key'], number>> {
  return keyedUpdate<T, number>('count', options, (previous) => (previous ?? 0) + 1)
}

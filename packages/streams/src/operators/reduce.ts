import type { OperatorFunction } from 'rxjs'
import type { Keyed, KeyValue } from '../record.js'
import { keyedUpdate, type StoreOptions } from './keyed-update.js'

/**
 * Combines the values of each key with `reducer` (a key's first value is its first result) and emits
 * the key's new result after every record. Unlike RxJS's own `reduce`, it emits continuously and
 * keeps one result per key.
 *
 * @example
 * ```ts
 * readings$.pipe(reduce((max, value) => Math.max(max, value), { store: 'max-temperature' }))
 * ```
 * @param reducer - the result after one more value
 * @param options - `store`: the store's name (required inside a runner)
 */
export function reduce<T extends Keyed & { value: unknown }>(reducer: (result: T['value'], value: T['value'], record: T) => T['value'], options: StoreOptions = {}): OperatorFunction<T, KeyValue<T['key'], T['value']>> {
  return keyedUpdate<T, T['value']>('reduce', options, (previous, record) => (previous === undefined ? record.value : reducer(previous, record.value, record)))
}

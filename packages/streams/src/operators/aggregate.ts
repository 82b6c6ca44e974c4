import type { OperatorFunction } from 'rxjs'
import type { Keyed, KeyValue } from '../record.js'
import { keyedUpdate, type StoreOptions } from './keyed-update.js'

/**
 * Folds the records of each key into an aggregate and emits the key's new aggregate after every
 * record: `initializer` gives a key's first aggregate, `aggregator` adds a record to it (return a new
 * value instead of changing the old one). Inside a runner the aggregates live in the store
 * `options.store`, backed by its changelog topic and restored after restarts and rebalances.
 *
 * @example
 * ```ts
 * records$.pipe(
 *   aggregate(() => ({ orders: 0, total: 0 }), (acc, r) => ({ orders: acc.orders + 1, total: acc.total + r.value.amount }), { store: 'totals' }),
 * ) // { key: 'c-1', value: { orders: 3, total: 120 }, timestamp }
 * ```
 * @param initializer - the aggregate of a key before its first record
 * @param aggregator - the aggregate after one more record
 * @param options - `store`: the store's name (required inside a runner)
 */
export function aggregate<T extends Keyed, A>(initializer: (key: T['key']) => A, aggregator: (aggregate: A, record: T) => A, options: StoreOptions = {}): OperatorFunction<T, KeyValue<T['key'], A>> {
  return keyedUpdate<T, A>('aggregate', options, (previous, record) => aggregator(previous === undefined ? initializer(record.key) : previous, record))
}

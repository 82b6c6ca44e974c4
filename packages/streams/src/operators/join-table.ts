import { Observable, type OperatorFunction } from 'rxjs'
import { StreamsError } from '../errors.js'
import type { Keyed } from '../record.js'
import { mapKeyOf } from '../state/codec.js'
import { buildingContext } from '../state/streams-context.js'
import { TopicTable } from '../tables/topic-table.js'

/** A change to a table: the key's new value, or null to delete it. */
export interface TableUpdate<K, V> {
  key: K
  value: V | null
}

/**
 * What a stream can be joined with: a topic table (inside a runner) or an Observable of table updates.
 * Keys are matched by value (strings as they are, anything else by its MessagePack encoding).
 */
export type TableSource<K, V> = TopicTable<any, V> | Observable<TableUpdate<K, V>>

/**
 * Joins each record with the table's current value for the record's key (a stream-table join): the
 * record is passed to `joiner` with that value, and the result is emitted. Inner join by default
 * (records whose key has no value are dropped); `{ left: true }` passes them with `undefined`.
 *
 * The table is either a {@link topicTable} (materialized from its topic by the runner, before
 * processing starts) or an Observable of updates, subscribed to before the source.
 *
 * @example
 * ```ts
 * const customers = topicTable(defineTopic('customers', { value: Customer }))
 * orders$.pipe(joinTable(customers, (order, customer) => ({ key: order.key, value: { amount: order.value.amount, region: customer.region } })))
 * ```
 * @param table - the table to look keys up in
 * @param joiner - combines a record with the table value
 * @param options - `left: true` for a left join
 */
export function joinTable<T extends Keyed, V, R>(table: TableSource<T['key'], V>, joiner: (record: T, value: V) => R): OperatorFunction<T, R>
export function joinTable<T extends Keyed, V, R>(table: TableSource<T['key'], V>, joiner: (record: T, value: V | undefined) => R, options: { left: true }): OperatorFunction<T, R>
export function joinTable<T extends Keyed, V, R>(table: TableSource<T['key'], V>, joiner: (record: T, value: V) => R, options: { left?: boolean } = {}): OperatorFunction<T, R> {
  const left = options.left === true
  return (source) =>
    new Observable<R>((subscriber) => {
      let lookup: (key: unknown) => V | undefined
      if (table instanceof TopicTable) {
        const context = buildingContext()
        if (!context) {
          throw new StreamsError(`joinTable() with topicTable("${table.topic.name}") needs a runner (exactlyOnce or atLeastOnce) to materialize the table; elsewhere, join with an Observable of table updates`, 'TABLE_NEEDS_RUNNER')
        }
        const materialized = context.table(table as TopicTable<unknown, V>)
        lookup = (key) => materialized.get(key)
      } else {
        const data = new Map<string, V>()
        subscriber.add(
          table.subscribe({
            next: (update) => {
              if (update.value === null || update.value === undefined) data.delete(mapKeyOf(update.key))
              else data.set(mapKeyOf(update.key), update.value)
            },
            error: (err: unknown) => subscriber.error(err),
          }),
        )
        lookup = (key) => data.get(mapKeyOf(key))
      }
      subscriber.add(
        source.subscribe({
          next: (record) => {
            const value = record.key === null || record.key === undefined ? undefined : lookup(record.key)
            if (value === undefined && !left) return
            let joined: R
            try {
              joined = joiner(record, value as V)
            } catch (err) {
              subscriber.error(err)
              return
            }
            subscriber.next(joined)
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      )
    })
}

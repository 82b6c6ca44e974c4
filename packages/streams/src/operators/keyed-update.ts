import { Observable, type OperatorFunction } from 'rxjs'
import type { Keyed, KeyValue } from '../record.js'
import { storeAccess } from '../state/store-access.js'

/** Options of the keyed stateful operators. */
export interface StoreOptions {
  /**
   * The store's name. Inside a runner it is required and names the changelog topic
   * (`<application>-<store>-changelog`); outside one it only labels errors.
   */
  store?: string
}

/**
 * The machinery shared by `count`, `reduce` and `aggregate`: for each record with a key (records with
 * a null or undefined key are skipped, as in Kafka Streams), computes the key's new value from the
 * stored one, stores it and emits it.
 */
export function keyedUpdate<T extends Keyed, A>(operator: string, options: StoreOptions, update: (previous: A | undefined, record: T) => A): OperatorFunction<T, KeyValue<T['key'], A>> {
  return (source) =>
    new Observable<KeyValue<T['key'], A>>((subscriber) => {
      const access = storeAccess<A>(options.store, operator)
      return source.subscribe({
        next: (record) => {
          const key = record.key
          if (key === null || key === undefined) return
          let value: A
          try {
            const store = access.current()
            value = update(store.get(key), record)
            store.put(key, value)
          } catch (err) {
            subscriber.error(err)
            return
          }
          subscriber.next({ key, value, timestamp: record.timestamp ?? Date.now() })
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      })
    })
}

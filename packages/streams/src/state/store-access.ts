import { StreamsError } from '../errors.js'
import { currentScope } from '../scope/processing-scope.js'
import { KeyValueStore } from './key-value-store.js'
import { buildingContext } from './streams-context.js'

/** How a stateful operator reaches its state for the record at hand. */
export interface StoreAccess<V> {
  /** The store (partition) for the record being processed. */
  current(): KeyValueStore<V>
  /** Reports records dropped as late. */
  late(count: number): void
}

/**
 * Resolves a stateful operator's store when the operator is subscribed. Inside a runner, the named
 * store of the runner, partitioned like the input (the partition of the input record being
 * processed); outside one, a store of this subscription alone, in memory.
 *
 * @throws StreamsError `STORE_NAME_REQUIRED` inside a runner without a name; `OUTSIDE_PROCESSING`
 * (from `current()`) when a record arrives while no input record is being processed.
 */
export function storeAccess<V>(name: string | undefined, operator: string): StoreAccess<V> {
  const context = buildingContext()
  if (!context) {
    const local = new KeyValueStore<V>(name ?? operator, 0, false)
    return { current: () => local, late: () => {} }
  }
  if (!name) {
    throw new StreamsError(`${operator}() inside ${context.application} needs a store name ({ store: 'name' }): it names the changelog topic that keeps the state`, 'STORE_NAME_REQUIRED')
  }
  const store = context.store<V>(name, operator)
  return {
    current: () => {
      const scope = currentScope()
      if (!scope) {
        throw new StreamsError(
          `${operator}() (store "${name}") received a record while no input record was being processed, so its state change could not be tied to an input offset; keep stateful operators after synchronous steps or mapAsync()`,
          'OUTSIDE_PROCESSING',
        )
      }
      return store.forPartition(scope.partition)
    },
    late: (count) => context.lateRecords(name, count),
  }
}

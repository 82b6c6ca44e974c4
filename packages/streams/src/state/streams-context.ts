import type { TopicTable } from '../tables/topic-table.js'
import type { KeyValueStore } from './key-value-store.js'

/** A store's partitions, as a runner keeps them: partition N holds the state of input partition N. */
export interface PartitionedStore<V> {
  /** The store partition of an input partition the instance owns; throws for one it does not own. */
  forPartition(partition: number): KeyValueStore<V>
}

/** A table kept up to date from its topic by a runner. */
export interface MaterializedTable<V> {
  get(key: unknown): V | undefined
}

/**
 * What a runner (`exactlyOnce`, `atLeastOnce`) offers the operators of its pipeline: named stores
 * backed by changelog topics, tables materialized from topics, and a place to report late records.
 * Operators find it while the runner subscribes to the pipeline ({@link buildingContext}); outside a
 * runner they keep their state in memory for the life of the subscription.
 */
export interface StreamsContext {
  readonly application: string
  /** Registers the store `name` for the operator `operator`; each name may be used by one operator. */
  store<V>(name: string, operator: string): PartitionedStore<V>
  /** The materialized contents of a topic table. */
  table<V>(table: TopicTable<unknown, V>): MaterializedTable<V>
  /** Counts records a windowed operator dropped for arriving after the grace period. */
  lateRecords(store: string, count: number): void
}

let building: StreamsContext | undefined

/** The runner context while a runner subscribes to its pipeline; undefined otherwise. */
export function buildingContext(): StreamsContext | undefined {
  return building
}

/** Calls `subscribe` with `context` visible to the operators being subscribed. */
export function buildWithin<T>(context: StreamsContext, subscribe: () => T): T {
  const previous = building
  building = context
  try {
    return subscribe()
  } finally {
    building = previous
  }
}

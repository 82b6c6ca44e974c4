import { asTopic, type KeyOf, type TopicDefinition, type TopicInput, type ValueOf } from '../topics/define-topic.js'

/**
 * A table defined by a (usually compacted) topic: the latest value of each key, a null value deleting
 * the key. A runner materializes it before processing starts (reading every partition to its end,
 * `read_committed`) and keeps it up to date while it runs; {@link joinTable} looks records up in it.
 * Every instance holds the whole table, so the table topic need not be partitioned like the input.
 * Create one with {@link topicTable}.
 *
 * @example
 * ```ts
 * const customers = new TopicTable(defineTopic('customers', { value: Customer })) // same as topicTable(...)
 * ```
 */
export class TopicTable<K, V> {
  constructor(readonly topic: TopicDefinition<K, V>) {}
}

/**
 * A table backed by `topic`, for {@link joinTable} inside `exactlyOnce` or `atLeastOnce`.
 *
 * @example
 * ```ts
 * const customers = topicTable(defineTopic('customers', { value: Customer }))
 * const app = exactlyOnce({ ..., process: (orders$) => orders$.pipe(joinTable(customers, (order, customer) => ({ key: order.key, value: { ...order.value, tier: customer.tier } }))) })
 * ```
 * @param topic - the table's topic: a definition (typed) or a name (Buffers)
 */
export function topicTable<T extends TopicInput>(topic: T): TopicTable<KeyOf<T>, ValueOf<T>> {
  return new TopicTable(asTopic(topic))
}

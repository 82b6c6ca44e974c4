import { Observable } from 'rxjs'
import type { StreamRecord } from '../record.js'
import type { KeyOf, TopicInput, ValueOf } from '../topics/define-topic.js'
import { TopicSource, type FromTopicOptions } from './topic-source.js'

/**
 * An Observable of the records of a topic, read by a consumer group member that joins when you
 * subscribe and leaves when you unsubscribe. Records of a partition arrive in offset order; keys and
 * values are decoded by the topic definition (invalid records go to its dead-letter topic).
 *
 * Offsets are committed at least once: a record counts as processed when the synchronous processing
 * of it has returned and everything it started downstream ({@link toTopic} writes, {@link mapAsync}
 * steps) has completed. That same accounting gives backpressure: a partition with
 * `maxInFlightPerPartition` records still in flight is paused, and resumed once half have settled,
 * so nothing is buffered without bound.
 *
 * @example
 * ```ts
 * const orders = defineTopic('orders', { value: z.object({ customer: z.string(), amount: z.number() }) })
 * const subscription = fromTopic({ bootstrapServers: 'localhost:9092', groupId: 'audit', topic: orders, autoOffsetReset: 'earliest' })
 *   .pipe(filter((r) => r.value.amount > 1000))
 *   .subscribe((r) => console.log('large order', r.key, r.value.amount))
 * // later: subscription.unsubscribe() commits and leaves the group
 * ```
 * @param options - client options, `topic`, `groupId`, and tuning (`maxInFlightPerPartition`, `commitIntervalMs`, `consumer`)
 */
export function fromTopic<T extends TopicInput>(options: FromTopicOptions<T>): Observable<StreamRecord<KeyOf<T>, ValueOf<T>>> {
  return new Observable<StreamRecord<KeyOf<T>, ValueOf<T>>>((subscriber) => {
    const source = new TopicSource<KeyOf<T>, ValueOf<T>>(options as FromTopicOptions<TopicInput>, subscriber)
    source.start()
    return () => {
      void source.stop().catch(() => {})
    }
  })
}

export type { FromTopicOptions }

import { Producer, type ProducerOptions, type RecordMetadata } from '@tributary/producer'
import { Observable, type OperatorFunction } from 'rxjs'
import type { OutputRecord } from '../record.js'
import { currentScope } from '../scope/processing-scope.js'
import { OutputBatcher } from './output-batcher.js'
import { asTopic, type OutputKeyOf, type OutputValueOf, type TopicInput } from '../topics/define-topic.js'
import { OutputTopics } from '../topics/encode-output.js'

/** Options of {@link toTopic} when it creates its own producer: the producer's options plus the topic. */
export type ToTopicOptions<T extends TopicInput> = Omit<ProducerOptions, 'keySerializer' | 'valueSerializer'> & {
  /** Where records without a `topic` go, and how their keys and values are encoded. */
  topic: T
  /** Other topics records may name, so that their keys and values are encoded by their definitions. */
  outputs?: readonly TopicInput[]
}

/**
 * Writes every record of the source to Kafka and emits where each was written once acknowledged
 * (records emitted in one synchronous run go out as one batch); completes once the source has
 * completed and every record is acknowledged, and errors as soon as one cannot be written. Keys and values are encoded by the
 * topic's definition. Each write is tied to the input record being processed, so a {@link fromTopic}
 * source commits that record only once its outputs are acknowledged, and pauses partitions whose
 * outputs fall behind.
 *
 * Pass a producer you manage (without serializers; this operator encodes), or producer options to
 * have one created for the subscription and closed (after delivering what was sent) when it ends.
 *
 * @example
 * ```ts
 * fromTopic({ bootstrapServers, groupId: 'shipping', topic: orders }).pipe(
 *   filter((r) => r.value.country === 'NL'),
 *   map((r) => ({ key: r.key, value: { id: r.value.id, carrier: 'postnl' } })),
 *   toTopic({ bootstrapServers, topic: shipments }),
 * ).subscribe({ error: console.error })
 * ```
 * @param target - a producer, or the options of the producer to create (with `topic`)
 * @param topic - with a producer: where records without a `topic` go
 */
export function toTopic<T extends TopicInput = string>(target: Producer<any, any>, topic?: T): OperatorFunction<OutputRecord<OutputKeyOf<T>, OutputValueOf<T>>, RecordMetadata>
export function toTopic<T extends TopicInput>(target: ToTopicOptions<T>): OperatorFunction<OutputRecord<OutputKeyOf<T>, OutputValueOf<T>>, RecordMetadata>
export function toTopic<T extends TopicInput>(target: Producer<any, any> | ToTopicOptions<T>, topic?: T): OperatorFunction<OutputRecord<OutputKeyOf<T>, OutputValueOf<T>>, RecordMetadata> {
  const given = target instanceof Producer ? target : undefined
  const options = given ? undefined : (target as ToTopicOptions<T>)
  const defaultTopic = given ? topic : options!.topic
  const topics = new OutputTopics(defaultTopic === undefined ? undefined : asTopic(defaultTopic), (options?.outputs ?? []).map((t) => asTopic(t)))
  return (source) =>
    new Observable<RecordMetadata>((subscriber) => {
      let producer: Producer<Buffer | null, Buffer | null>
      if (given) producer = given
      else {
        const { topic: _topic, outputs: _outputs, ...producerOptions } = options!
        producer = new Producer<Buffer | null, Buffer | null>(producerOptions as ProducerOptions<Buffer | null, Buffer | null>)
      }
      let pending = 0
      let sourceDone = false
      const batcher = new OutputBatcher(
        (records) => producer.sendBatch(records),
        (metadata, error) => {
          if (!metadata) return subscriber.error(error)
          pending -= metadata.length
          for (const meta of metadata) subscriber.next(meta)
          if (sourceDone && pending === 0) subscriber.complete()
        },
      )
      const subscription = source.subscribe({
        next: (record) => {
          try {
            batcher.add(topics.encode(record), currentScope())
          } catch (err) {
            subscriber.error(err)
            return
          }
          pending++
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true
          if (pending === 0) subscriber.complete()
        },
      })
      return () => {
        subscription.unsubscribe()
        if (!given) void producer.close().catch(() => {})
      }
    })
}

import type { SerializeContext } from '@tributary/client'
import type { ProducerRecord } from '@tributary/producer'
import { StreamsError } from '../errors.js'
import type { OutputRecord } from '../record.js'
import { asTopic, type TopicDefinition } from './define-topic.js'

/** The topics an output may go to: a default, and others by name. */
export class OutputTopics {
  private readonly byName = new Map<string, TopicDefinition<unknown, unknown>>()

  constructor(
    readonly defaultTopic: TopicDefinition<unknown, unknown> | undefined,
    others: readonly TopicDefinition<unknown, unknown>[] = [],
  ) {
    for (const t of [...others, ...(defaultTopic ? [defaultTopic] : [])]) this.byName.set(t.name, t)
  }

  /**
   * The producer record for an output: its topic (the default unless it names one), key and value
   * encoded by that topic's definition (raw bytes or strings for topics known by name only).
   *
   * @throws StreamsError `INVALID_OUTPUT` when the record names no topic and there is no default, or its key or value cannot be encoded
   */
  encode(record: OutputRecord): ProducerRecord<Buffer | null, Buffer | null> {
    const name = record.topic ?? this.defaultTopic?.name
    if (name === undefined) throw new StreamsError('An output record names no topic and there is no default output topic', 'INVALID_OUTPUT')
    const topic = this.byName.get(name) ?? asTopic(name)
    const ctx: SerializeContext = { topic: name, headers: {} }
    try {
      return {
        topic: name,
        partition: record.partition,
        key: record.key === undefined ? null : topic.keySerde.serialize(record.key, ctx),
        value: topic.valueSerde.serialize(record.value, ctx),
        headers: record.headers,
        timestamp: record.timestamp,
      }
    } catch (err) {
      throw new StreamsError(`An output record for topic "${name}" cannot be written: ${(err as Error).message}`, 'INVALID_OUTPUT', err)
    }
  }
}

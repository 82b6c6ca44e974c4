import type { DeserializeContext } from '@tributary/client'
import type { ConsumerRecord } from '@tributary/consumer'
import type { StreamRecord } from '../record.js'
import type { TopicDefinition } from './define-topic.js'

const NO_HEADERS: Record<string, Buffer | undefined> = Object.freeze({}) as Record<string, Buffer | undefined>

/**
 * A consumed record with its key and value decoded by the topic's definition. Throws the serde's error
 * (a `SerdeError` naming the topic, offset and failing path) when they cannot be.
 */
export function decodeRecord<K, V>(topic: TopicDefinition<K, V>, raw: ConsumerRecord<Buffer | null, Buffer | null>): StreamRecord<K, V> {
  const headers = raw.headerList.length === 0 ? NO_HEADERS : headersForSerde(raw.headers)
  const ctx: DeserializeContext = { topic: raw.topic, partition: raw.partition, offset: raw.offset, headers }
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    key: topic.keySerde.deserialize(raw.key, ctx),
    value: topic.valueSerde.deserialize(raw.value, ctx),
    timestamp: raw.timestamp,
    headers: raw.headers,
  }
}

function headersForSerde(headers: Readonly<Record<string, Buffer | null>>): Record<string, Buffer | undefined> {
  const out: Record<string, Buffer | undefined> = {}
  for (const key in headers) out[key] = headers[key] ?? undefined
  return out
}

import type { DecodedRecord, RecordHeader } from '@tributary/protocol'
import type { Deserializer } from '../options.js'
import type { ConsumerRecord, TimestampType } from '../record.js'

/** Turns one decoded record into what users receive. */
export type RecordFactory<K, V> = (
  topic: string,
  partition: number,
  record: DecodedRecord,
  timestampType: TimestampType,
  leaderEpoch: number | undefined,
) => ConsumerRecord<K, V>

const NO_HEADERS: Readonly<Record<string, Buffer | null>> = Object.freeze({})

function headerMap(list: readonly RecordHeader[]): Readonly<Record<string, Buffer | null>> {
  if (list.length === 0) return NO_HEADERS
  const out: Record<string, Buffer | null> = {}
  for (let i = 0; i < list.length; i++) out[list[i]!.key] = list[i]!.value
  return out
}

/**
 * The record factory for a consumer: without deserializers a record carries the key and value Buffers
 * as fetched (views, no copies); with them, each is deserialized as the record is built, so a
 * deserializer's error surfaces at that record.
 */
export function recordFactory<K, V>(keyDeserializer: Deserializer<K> | undefined, valueDeserializer: Deserializer<V> | undefined): RecordFactory<K, V> {
  if (!keyDeserializer && !valueDeserializer) {
    return (topic, partition, r, timestampType, leaderEpoch) => ({
      topic,
      partition,
      offset: BigInt(r.offset),
      key: r.key as K,
      value: r.value as V,
      headers: headerMap(r.headers),
      headerList: r.headers,
      timestamp: r.timestamp,
      timestampType,
      leaderEpoch,
    })
  }
  return (topic, partition, r, timestampType, leaderEpoch) => {
    const offset = BigInt(r.offset)
    const headers = headerMap(r.headers)
    const ctx = { topic, partition, offset, headers: serdeHeaders(headers) }
    return {
      topic,
      partition,
      offset,
      key: keyDeserializer ? keyDeserializer.deserialize(r.key, ctx) : (r.key as K),
      value: valueDeserializer ? valueDeserializer.deserialize(r.value, ctx) : (r.value as V),
      headers,
      headerList: r.headers,
      timestamp: r.timestamp,
      timestampType,
      leaderEpoch,
    }
  }
}

/** Serdes take `undefined` for a header without a value. */
function serdeHeaders(headers: Readonly<Record<string, Buffer | null>>): Record<string, Buffer | undefined> {
  for (const key in headers) {
    if (headers[key] === null) {
      const out: Record<string, Buffer | undefined> = {}
      for (const k in headers) out[k] = headers[k] ?? undefined
      return out
    }
  }
  return headers as Record<string, Buffer | undefined>
}

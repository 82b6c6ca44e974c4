import type { RecordHeaders } from '@tributary/producer'

/**
 * A record read from a topic, its key and value decoded by the topic's definition (Buffers for topics
 * given by name only).
 *
 * @example
 * ```ts
 * fromTopic({ bootstrapServers, groupId: 'g', topic: orders }).subscribe((r: StreamRecord<string, Order>) =>
 *   console.log(`${r.topic}-${r.partition}@${r.offset}`, r.key, r.value.amount))
 * ```
 */
export interface StreamRecord<K = Buffer | null, V = Buffer | null> {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly key: K
  readonly value: V
  /** Milliseconds since the epoch: the record's event time for windowed operators. */
  readonly timestamp: number
  /** Headers by key (the last value of a repeated key). */
  readonly headers: Readonly<Record<string, Buffer | null>>
}

/**
 * A record for a pipeline to write. `topic` defaults to the runner's output topic (or the topic
 * `toTopic` was given); `key` and `value` are encoded by that topic's definition. `partition` picks
 * the partition outright, otherwise murmur2 of the encoded key does, as in Kafka's Java client.
 *
 * @example
 * ```ts
 * const out: OutputRecord<string, { total: number }> = { key: 'c-1', value: { total: 42 }, headers: { source: 'billing' } }
 * ```
 */
export interface OutputRecord<K = unknown, V = unknown> {
  topic?: string
  key?: K
  value: V
  headers?: RecordHeaders
  partition?: number
  /** Milliseconds since the epoch; default: the time of sending. */
  timestamp?: number
}

/** Anything with a key: what stateful operators group by. */
export interface Keyed<K = unknown> {
  readonly key: K
  /** Event time in milliseconds; needed by windowed operators. */
  readonly timestamp?: number
}

/**
 * A key and a value, as stateful operators emit them; `timestamp` is the event time of the record
 * that caused the update. It is an {@link OutputRecord} as it stands.
 */
export interface KeyValue<K, V> {
  key: K
  value: V
  timestamp: number
}

/** A window's bounds in event time: `start` inclusive; `end` exclusive for time windows, inclusive for sessions. */
export interface WindowBounds {
  start: number
  end: number
}

/** The aggregate of one key in one window, as windowed operators emit it. */
export interface WindowedRecord<K, V> {
  key: K
  window: WindowBounds
  value: V
  timestamp: number
}

import type { ConsumerRecord } from '@tributary/consumer'
import type { ProducerRecord } from '@tributary/producer'

/**
 * The headers a dead-letter record carries besides the original record's own.
 *
 * @example
 * ```ts
 * fromTopic({ bootstrapServers, groupId: 'dlq-inspector', topic: 'orders-dlq' })
 *   .subscribe((r) => console.log(r.headers[DEAD_LETTER_HEADERS.error]?.toString(), 'at offset', r.headers[DEAD_LETTER_HEADERS.offset]?.toString()))
 * ```
 */
export const DEAD_LETTER_HEADERS = {
  /** Why the record was rejected (the error message). */
  error: 'tributary.dlq.error',
  /** The error's code (`SERDE_ERROR` for records that failed their schema). */
  code: 'tributary.dlq.code',
  topic: 'tributary.dlq.topic',
  partition: 'tributary.dlq.partition',
  offset: 'tributary.dlq.offset',
} as const

/**
 * The dead-letter copy of an input record that could not be decoded: the original key, value,
 * timestamp and headers, plus headers saying why and where it came from.
 *
 * @example
 * ```ts
 * const dlq = deadLetterRecord(raw, err, 'orders-dlq')
 * dlq.headers // [...original, { key: 'tributary.dlq.error', value: 'Invalid value for topic "orders" at offset 7: amount: expected number, received string' }, ...]
 * ```
 */
export function deadLetterRecord(raw: ConsumerRecord<Buffer | null, Buffer | null>, error: unknown, topic: string): ProducerRecord<Buffer | null, Buffer | null> {
  const message = error instanceof Error ? error.message : String(error)
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'UNKNOWN'
  return {
    topic,
    key: raw.key,
    value: raw.value,
    timestamp: raw.timestamp,
    headers: [
      ...raw.headerList.map((h) => ({ key: h.key, value: h.value })),
      { key: DEAD_LETTER_HEADERS.error, value: message },
      { key: DEAD_LETTER_HEADERS.code, value: code },
      { key: DEAD_LETTER_HEADERS.topic, value: raw.topic },
      { key: DEAD_LETTER_HEADERS.partition, value: String(raw.partition) },
      { key: DEAD_LETTER_HEADERS.offset, value: String(raw.offset) },
    ],
  }
}

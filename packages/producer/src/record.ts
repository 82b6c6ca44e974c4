import type { RecordHeader } from '@tributary/protocol'

/** A header value: a string (written as UTF-8), bytes, or null for a header without a value. */
export type HeaderValue = string | Uint8Array | null

/**
 * Record headers, either as an object (an array value repeats the key; `undefined` entries are
 * skipped) or as a list of `{ key, value }` pairs in the order they are written.
 *
 * @example
 * ```ts
 * const a: RecordHeaders = { source: 'web', trace: ['t-1', 't-2'] }
 * const b: RecordHeaders = [{ key: 'source', value: 'web' }, { key: 'trace', value: Buffer.from([1, 2]) }]
 * ```
 */
export type RecordHeaders = Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>> | readonly { key: string; value: HeaderValue }[]

/**
 * A record to send. `partition` picks the partition outright; otherwise the partitioner chooses
 * (murmur2 of the serialized key by default, as the Java client). `timestamp` defaults to the time of
 * `send` (milliseconds since the epoch).
 *
 * @example
 * ```ts
 * const record: ProducerRecord = { topic: 'orders', key: 'c-1', value: JSON.stringify(order), headers: { source: 'web' } }
 * ```
 */
export interface ProducerRecord<K = ProducerKey, V = ProducerValue> {
  topic: string
  partition?: number
  key?: K
  value: V
  headers?: RecordHeaders
  /** Milliseconds since the epoch, or a Date. */
  timestamp?: number | bigint | Date
}

/** What keys may be without a `keySerializer`: bytes, a string (UTF-8), or null/undefined for none. */
export type ProducerKey = Uint8Array | string | null | undefined
/** What values may be without a `valueSerializer`: bytes, a string (UTF-8), or null (a tombstone). */
export type ProducerValue = Uint8Array | string | null

/**
 * Where a record was written, as the broker acknowledged it.
 *
 * `offset` is a bigint (Kafka offsets are 64-bit); it is `-1n` when the broker does not say, which is
 * the case with `acks: 0`. `timestamp` is a number of milliseconds since the epoch (exact: timestamps
 * fit easily in 2^53): the record's own (CreateTime), or the broker's append time when the topic uses
 * LogAppendTime, in which case `logAppendTime` is set too.
 *
 * @example
 * ```ts
 * const { partition, offset } = await producer.send({ topic: 'orders', value: 'o-1' })
 * console.log(`written to orders-${partition} at offset ${offset}`)
 * ```
 */
export interface RecordMetadata {
  topic: string
  partition: number
  offset: bigint
  timestamp: number
  /** The offset of the first record of the batch this record was sent in (-1n when unknown). */
  baseOffset: bigint
  /** The broker's append time, when the topic uses `message.timestamp.type=LogAppendTime`. */
  logAppendTime?: number
}

const EMPTY_HEADERS: readonly RecordHeader[] = Object.freeze([])

/** A header value as bytes. */
function headerBytes(value: HeaderValue, key: string): Buffer | null {
  if (value === null) return null
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new TypeError(`Header "${key}" has a value of type ${typeof value}: header values must be strings, Buffers, Uint8Arrays or null`)
}

/** Headers in wire form: `{ key, value: Buffer | null }` pairs, in order. */
export function normalizeHeaders(headers: RecordHeaders | undefined): readonly RecordHeader[] {
  if (headers === undefined || headers === null) return EMPTY_HEADERS
  const out: RecordHeader[] = []
  if (Array.isArray(headers)) {
    for (const h of headers as readonly { key: string; value: HeaderValue }[]) {
      if (typeof h?.key !== 'string') throw new TypeError('Each header in a header list must be { key: string, value }')
      out.push({ key: h.key, value: headerBytes(h.value, h.key) })
    }
    return out
  }
  for (const key in headers) {
    const value = (headers as Record<string, HeaderValue | readonly HeaderValue[] | undefined>)[key]
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value as readonly HeaderValue[]) out.push({ key, value: headerBytes(v, key) })
    else out.push({ key, value: headerBytes(value as HeaderValue, key) })
  }
  return out
}

/** Headers as the `Record<string, string | Buffer>` serializers see (the last value of a repeated key wins). */
export function headersForSerializer(headers: readonly RecordHeader[]): Record<string, string | Buffer | undefined> {
  const out: Record<string, string | Buffer | undefined> = {}
  for (const h of headers) out[h.key] = h.value ?? undefined
  return out
}

/** A record timestamp as milliseconds, or the current time when none is given. */
export function timestampOf(timestamp: number | bigint | Date | undefined, now: number): number {
  if (timestamp === undefined) return now
  const ms = typeof timestamp === 'number' ? timestamp : typeof timestamp === 'bigint' ? Number(timestamp) : timestamp.getTime()
  if (!Number.isSafeInteger(ms) || ms < 0) throw new TypeError(`Record timestamp ${String(timestamp)} is not a non-negative whole number of milliseconds`)
  return ms
}

import { decodeRecordBatches, encodeRecordBatch, type CompressionCodec, type EncodeRecordBatchOptions } from '@tributary/protocol'

/** A record for {@link textBatch}: strings for brevity. */
export interface TextRecord {
  key?: string | null
  value: string | null
  headers?: Record<string, string>
  timestamp?: number
}

/**
 * A v2 record batch as a producer sends it (base offset 0), from string records.
 *
 * @example
 * ```ts
 * const records = textBatch([{ key: 'k', value: 'v', headers: { source: 'test' } }], { compression: 'gzip' })
 * await client.request(ProduceApi, 9, { acks: -1, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
 * ```
 */
export function textBatch(records: readonly TextRecord[], options: Omit<Partial<EncodeRecordBatchOptions>, 'records'> & { compression?: CompressionCodec } = {}): Buffer {
  return encodeRecordBatch({
    ...options,
    records: records.map((r) => ({
      key: r.key == null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      headers: Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: Buffer.from(value) })),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    })),
  })
}

/** `n` records with values `${prefix}0` ... `${prefix}${n - 1}`. */
export function textValues(n: number, prefix = 'v'): TextRecord[] {
  return Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }))
}

/** A record read back: offset, key, value and headers as strings. */
export interface ReadRecord {
  offset: number
  key: string | null
  value: string | null
  headers: Record<string, string>
  timestamp: number
}

/** Decodes fetched or stored bytes (whole batches, CRCs checked) into string records. */
export function readRecords(bytes: Buffer | null): ReadRecord[] {
  if (!bytes || bytes.length === 0) return []
  return decodeRecordBatches(bytes).flatMap((b) =>
    b.records.map((r) => ({
      offset: r.offset,
      key: r.key?.toString('utf8') ?? null,
      value: r.value?.toString('utf8') ?? null,
      headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? ''])),
      timestamp: r.timestamp,
    })),
  )
}

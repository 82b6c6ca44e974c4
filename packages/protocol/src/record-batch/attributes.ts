/**
 * The RecordBatch `attributes` int16: bits 0-2 compression codec, bit 3 timestamp type, bit 4
 * transactional, bit 5 control, bit 6 delete horizon set (compacted tombstones).
 */

/** Bits 0-2: the compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export const ATTRIBUTE_COMPRESSION_MASK = 0x07
/** Bit 3: timestamps are LogAppendTime (set by the broker) rather than CreateTime. */
export const ATTRIBUTE_LOG_APPEND_TIME = 0x08
/** Bit 4: the batch belongs to a transaction. */
export const ATTRIBUTE_TRANSACTIONAL = 0x10
/** Bit 5: the batch holds a control record (a transaction marker). */
export const ATTRIBUTE_CONTROL = 0x20
/** Bit 6: the base timestamp holds the delete horizon of a compacted batch. */
export const ATTRIBUTE_DELETE_HORIZON = 0x40

/** Kafka's two timestamp types, named as in the `message.timestamp.type` topic config. */
export type TimestampType = 'CreateTime' | 'LogAppendTime'

/** The attribute flags as named fields. */
export interface BatchAttributes {
  /** Compression codec id, 0 to 4. */
  compression: number
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
}

/**
 * The compression codec id (bits 0-2) of a batch's attributes.
 *
 * @example
 * ```ts
 * compressionIdOf(header.attributes) // 3 for lz4
 * ```
 */
export function compressionIdOf(attributes: number): number {
  return attributes & ATTRIBUTE_COMPRESSION_MASK
}

/**
 * The timestamp type (bit 3) of a batch's attributes.
 *
 * @example
 * ```ts
 * timestampTypeOf(0x08) // 'LogAppendTime'
 * ```
 */
export function timestampTypeOf(attributes: number): TimestampType {
  return attributes & ATTRIBUTE_LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime'
}

/**
 * Whether the batch is part of a transaction (bit 4).
 *
 * @example
 * ```ts
 * if (isTransactionalBatch(header.attributes)) trackOpenTransaction(header.producerId)
 * ```
 */
export function isTransactionalBatch(attributes: number): boolean {
  return (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0
}

/**
 * Whether the batch holds a control record such as a commit or abort marker (bit 5).
 *
 * @example
 * ```ts
 * if (isControlBatch(header.attributes)) skipFromUserView()
 * ```
 */
export function isControlBatch(attributes: number): boolean {
  return (attributes & ATTRIBUTE_CONTROL) !== 0
}

/**
 * Whether the base timestamp holds a delete horizon (bit 6), set by log compaction.
 *
 * @example
 * ```ts
 * hasDeleteHorizon(0x40) // true
 * ```
 */
export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & ATTRIBUTE_DELETE_HORIZON) !== 0
}

/**
 * Splits an attributes int16 into named fields.
 *
 * @example
 * ```ts
 * parseAttributes(0x13) // { compression: 3, timestampType: 'CreateTime', isTransactional: true, ... }
 * ```
 */
export function parseAttributes(attributes: number): BatchAttributes {
  return {
    compression: attributes & ATTRIBUTE_COMPRESSION_MASK,
    timestampType: timestampTypeOf(attributes),
    isTransactional: isTransactionalBatch(attributes),
    isControl: isControlBatch(attributes),
    hasDeleteHorizon: hasDeleteHorizon(attributes),
  }
}

/**
 * Builds an attributes int16 from named fields; omitted fields are off (CreateTime, no compression).
 *
 * @example
 * ```ts
 * makeAttributes({ compression: 1, isTransactional: true }) // 0x11
 * ```
 */
export function makeAttributes(fields: Partial<BatchAttributes>): number {
  return (
    ((fields.compression ?? 0) & ATTRIBUTE_COMPRESSION_MASK) |
    (fields.timestampType === 'LogAppendTime' ? ATTRIBUTE_LOG_APPEND_TIME : 0) |
    (fields.isTransactional ? ATTRIBUTE_TRANSACTIONAL : 0) |
    (fields.isControl ? ATTRIBUTE_CONTROL : 0) |
    (fields.hasDeleteHorizon ? ATTRIBUTE_DELETE_HORIZON : 0)
  )
}

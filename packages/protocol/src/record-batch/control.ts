import { DecodeError } from '../errors/kafka-error.js'
import { encodeRecordBatch } from './encode.js'

/**
 * Control records: the single record of a control batch. Its key is `version int16, type int16`;
 * for transaction markers (type 0 ABORT, 1 COMMIT) the value is `version int16, coordinatorEpoch
 * int32`. KRaft logs use further types, which decode with `marker: null`.
 */

/** The two transaction marker types. */
export type TransactionMarker = 'ABORT' | 'COMMIT'

/** Control record type ids. */
export const CONTROL_TYPE_ABORT = 0
export const CONTROL_TYPE_COMMIT = 1

/** What a control batch for a transaction marker needs. */
export interface EncodeControlBatchOptions {
  marker: TransactionMarker
  producerId: bigint
  producerEpoch: number
  /** The transaction coordinator's epoch, so stale coordinators' markers can be fenced. */
  coordinatorEpoch: number
  /** Default 0n; the broker sets the real offset when it appends. */
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  /** Default now. */
  timestamp?: number | bigint
}

/** A decoded control record. */
export interface ControlRecord {
  /** The control type id (0 ABORT, 1 COMMIT, others for KRaft). */
  type: number
  /** The key's version field. */
  version: number
  /** The transaction marker, or null for other control types. */
  marker: TransactionMarker | null
  /** The coordinator epoch of a transaction marker, or null for other control types. */
  coordinatorEpoch: number | null
}

/**
 * Encodes a transaction marker: a transactional control batch holding one control record, as the
 * broker writes on commit or abort.
 *
 * @example
 * ```ts
 * const marker = encodeControlBatch({ marker: 'COMMIT', producerId: 4000n, producerEpoch: 0, coordinatorEpoch: 0 })
 * ```
 */
export function encodeControlBatch(options: EncodeControlBatchOptions): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(options.marker === 'COMMIT' ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(options.coordinatorEpoch, 2)
  return encodeRecordBatch({
    baseOffset: options.baseOffset,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    isControl: true,
    isTransactional: true,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    records: [{ key, value, timestamp: options.timestamp ?? Date.now() }],
  })
}

/**
 * Decodes the key (and, for transaction markers, the value) of a record from a control batch.
 *
 * @throws DecodeError when the key or a marker's value is too short.
 * @example
 * ```ts
 * if (batch.isControl) {
 *   const { marker } = decodeControlRecord(batch.records[0])
 *   if (marker === 'ABORT') dropPending(batch.producerId)
 * }
 * ```
 */
export function decodeControlRecord(record: { key: Buffer | null; value: Buffer | null }): ControlRecord {
  const key = record.key
  if (key === null || key.length < 4) throw new DecodeError(`A control record key needs 4 bytes (version, type), got ${key === null ? 'null' : key.length}`)
  const version = key.readInt16BE(0)
  const type = key.readInt16BE(2)
  if (type !== CONTROL_TYPE_ABORT && type !== CONTROL_TYPE_COMMIT) return { type, version, marker: null, coordinatorEpoch: null }
  const value = record.value
  if (value === null || value.length < 6) throw new DecodeError(`A transaction marker value needs 6 bytes (version, coordinator epoch), got ${value === null ? 'null' : value.length}`)
  return { type, version, marker: type === CONTROL_TYPE_COMMIT ? 'COMMIT' : 'ABORT', coordinatorEpoch: value.readInt32BE(2) }
}

import { DecodeError, Reader, Writer } from '@tributary/protocol'
import { TRANSACTION_STATES, type TransactionMetadata } from './metadata.js'

/**
 * The records of `__transaction_state`: our own binary format (big-endian, strings as int16 length
 * + UTF-8, as in the Kafka protocol). Every key and value starts with an int16 version, so a later
 * broker can add fields.
 *
 * ```
 * key, version 0:    version int16 | kind int8 | (kind 0 only) transactionalId string
 *   kind 0: a transactional id's metadata   kind 1: the producer id block (one key)
 *
 * transaction value, version 0:
 *   version int16 | producerId int64 | previousProducerId int64 | producerEpoch int16
 *   | lastProducerEpoch int16 | timeoutMs int32 | state int8 (Kafka's state ids)
 *   | startTimestamp int64 | lastUpdateTimestamp int64
 *   | topicCount int32 | topicCount * (topic string | partitionCount int32 | partitionCount * int32)
 *
 * producer id block value, version 0:
 *   version int16 | reservedUpTo int64 (every producer id below it may have been handed out)
 * ```
 *
 * A null value (tombstone) under a transaction key removes the transactional id; compaction keeps
 * only the latest record of each key.
 */

/** What a key names. */
export type TransactionLogKey = { kind: 'transaction'; transactionalId: string } | { kind: 'producerIdBlock' }

const KEY_VERSION = 0
const VALUE_VERSION = 0
const KIND_TRANSACTION = 0
const KIND_PRODUCER_ID_BLOCK = 1

/** Encodes a key. */
export function encodeKey(key: TransactionLogKey): Buffer {
  const w = new Writer(64).int16(KEY_VERSION)
  if (key.kind === 'transaction') w.int8(KIND_TRANSACTION).string(key.transactionalId)
  else w.int8(KIND_PRODUCER_ID_BLOCK)
  return w.toBuffer()
}

/** Decodes a key. @throws DecodeError for an unknown version or kind, or truncated bytes. */
export function decodeKey(buf: Buffer): TransactionLogKey {
  const r = new Reader(buf)
  const version = r.int16()
  if (version !== KEY_VERSION) throw new DecodeError(`Unknown __transaction_state key version ${version}`)
  const kind = r.int8()
  if (kind === KIND_TRANSACTION) return { kind: 'transaction', transactionalId: r.string() }
  if (kind === KIND_PRODUCER_ID_BLOCK) return { kind: 'producerIdBlock' }
  throw new DecodeError(`Unknown __transaction_state key kind ${kind}`)
}

/** Encodes a transactional id's metadata. */
export function encodeTransactionValue(m: TransactionMetadata): Buffer {
  const w = new Writer(128)
  w.int16(VALUE_VERSION).int64(m.producerId).int64(m.previousProducerId).int16(m.producerEpoch).int16(m.lastProducerEpoch)
  w.int32(m.timeoutMs).int8(TRANSACTION_STATES.indexOf(m.state)).int64(BigInt(m.startTimestamp)).int64(BigInt(m.lastUpdateTimestamp))
  const topics = new Map<string, number[]>()
  for (const tp of m.partitions) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition])
  w.int32(topics.size)
  for (const [topic, partitions] of topics) {
    w.string(topic).int32(partitions.length)
    for (const p of partitions) w.int32(p)
  }
  return w.toBuffer()
}

/** Decodes a transactional id's metadata. @throws DecodeError for an unknown version or state, or truncated bytes. */
export function decodeTransactionValue(transactionalId: string, buf: Buffer): TransactionMetadata {
  const r = new Reader(buf)
  const version = r.int16()
  if (version !== VALUE_VERSION) throw new DecodeError(`Unknown __transaction_state value version ${version} for ${JSON.stringify(transactionalId)}`)
  const producerId = r.int64()
  const previousProducerId = r.int64()
  const producerEpoch = r.int16()
  const lastProducerEpoch = r.int16()
  const timeoutMs = r.int32()
  const stateId = r.int8()
  const state = TRANSACTION_STATES[stateId]
  if (state === undefined) throw new DecodeError(`Unknown transaction state id ${stateId} for ${JSON.stringify(transactionalId)}`)
  const startTimestamp = Number(r.int64())
  const lastUpdateTimestamp = Number(r.int64())
  const topicCount = r.int32()
  if (topicCount < 0 || topicCount * 6 > r.remaining) throw new DecodeError(`A transaction record claims ${topicCount} topics in ${r.remaining} bytes`)
  const partitions = []
  for (let t = 0; t < topicCount; t++) {
    const topic = r.string()
    const count = r.int32()
    if (count < 0 || count * 4 > r.remaining) throw new DecodeError(`A transaction record claims ${count} partitions of ${topic} in ${r.remaining} bytes`)
    for (let i = 0; i < count; i++) partitions.push({ topic, partition: r.int32() })
  }
  return { transactionalId, producerId, previousProducerId, producerEpoch, lastProducerEpoch, timeoutMs, state, partitions, startTimestamp, lastUpdateTimestamp }
}

/** Encodes the producer id block. */
export function encodeProducerIdBlock(reservedUpTo: bigint): Buffer {
  return new Writer(10).int16(VALUE_VERSION).int64(reservedUpTo).toBuffer()
}

/** Decodes the producer id block. @throws DecodeError for an unknown version or truncated bytes. */
export function decodeProducerIdBlock(buf: Buffer): bigint {
  const r = new Reader(buf)
  const version = r.int16()
  if (version !== VALUE_VERSION) throw new DecodeError(`Unknown producer id block version ${version}`)
  return r.int64()
}

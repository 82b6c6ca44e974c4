import { encodeRecordBatch, type CompressionCodec, type KafkaError, type RecordHeader } from '@tributary/protocol'
import type { DeliverySink } from '../delivery.js'
import { addSequence } from '../idempotence/sequence-state.js'
import type { RecordMetadata } from '../record.js'
import type { PartitionQueue } from './partition-queue.js'

/** A record ready for a batch: serialized key and value, wire headers, a timestamp in ms. */
export interface PendingRecord {
  key: Buffer | null
  value: Buffer | null
  headers: readonly RecordHeader[]
  timestamp: number
}

/** Bytes of a v2 batch header (offset, length, epoch, magic, crc, attributes, …, record count). */
export const BATCH_OVERHEAD = 61

/**
 * An upper bound of the bytes a record takes inside an uncompressed v2 batch: its fields plus the
 * widest varints for its length, attributes, timestamp and offset deltas. Used for `batchSize`,
 * `maxRequestSize` and `bufferMemory` accounting before the batch is encoded.
 */
export function recordSizeUpperBound(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[]): number {
  let size = 21 + (key === null ? 0 : key.length) + (value === null ? 0 : value.length)
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!
    size += 10 + Buffer.byteLength(h.key, 'utf8') + (h.value === null ? 0 : h.value.length)
  }
  return size
}

/** `BigInt(i)` for offset deltas within a batch, made once rather than per record. */
const DELTAS: bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i))
const delta = (i: number): bigint => (i < DELTAS.length ? DELTAS[i]! : BigInt(i))

/** Bytes of the zig-zag varint of a non-negative int32 (lengths, offset deltas). */
function varintSize(n: number): number {
  const z = n * 2
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : 5
}

/** Bytes of the zig-zag varlong of a signed integer within ±2^53 (timestamp deltas). */
function varlongSize(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1
  let bytes = 1
  while (z >= 0x80) {
    z = Math.floor(z / 0x80)
    bytes++
  }
  return bytes
}

/**
 * The exact bytes a record takes in an uncompressed v2 batch whose first record has timestamp
 * `baseTimestamp`, at position `offsetDelta`: what decides when a batch reaches `batchSize`, as the
 * Java client counts the bytes it has written.
 */
export function recordSize(record: PendingRecord, baseTimestamp: number, offsetDelta: number): number {
  const key = record.key
  const value = record.value
  let body = 1 + varlongSize(record.timestamp - baseTimestamp) + varintSize(offsetDelta)
  body += key === null ? 1 : varintSize(key.length) + key.length
  body += value === null ? 1 : varintSize(value.length) + value.length
  const headers = record.headers
  body += varintSize(headers.length)
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!
    const keyLength = Buffer.byteLength(h.key, 'utf8')
    body += varintSize(keyLength) + keyLength + (h.value === null ? 1 : varintSize(h.value.length) + h.value.length)
  }
  return varintSize(body) + body
}

/** Called once per record with its outcome (the interceptors' onAcknowledgement). */
export type AcknowledgementHook = (metadata: RecordMetadata | undefined, error: KafkaError | undefined) => void

/**
 * The records of one partition sent together: appended to until full or sent, then encoded once (and
 * encoded again only when its producer id, epoch or sequence change). Holds where each record's outcome
 * goes and the bytes of `bufferMemory` it took.
 */
export class ProducerBatch {
  readonly records: PendingRecord[] = []
  readonly sinks: DeliverySink[] = []
  readonly slots: number[] = []
  /** The encoded size before compression. */
  sizeBytes = BATCH_OVERHEAD
  /** Bytes reserved from `bufferMemory` for its records (upper bounds of their sizes). */
  memory = 0
  /** No more records fit (a record was refused for size). */
  full = false
  /** Times it was sent. */
  attempts = 0
  /** Its place among all batches in the order they were first sent (0 before that). */
  sendOrder = 0
  /** Not to be sent again before this time (ms since the epoch): retry backoff. */
  retryAt = 0
  producerId = -1n
  producerEpoch = -1
  /** -1 while it holds no sequence number. */
  baseSequence = -1
  isTransactional = false
  /** The last error a send of it got. */
  lastError: KafkaError | undefined
  done = false
  private bytes: Buffer | undefined

  constructor(
    readonly queue: PartitionQueue,
    readonly createdAt: number,
    /** When it expires: `createdAt + deliveryTimeoutMs`. */
    readonly deadline: number,
  ) {}

  get topic(): string {
    return this.queue.topic
  }

  get partition(): number {
    return this.queue.partition
  }

  get count(): number {
    return this.records.length
  }

  /** The sequence number of its last record. */
  get lastSequence(): number {
    return addSequence(this.baseSequence, this.records.length - 1)
  }

  /** The exact bytes `record` would add to this batch. */
  sizeOf(record: PendingRecord): number {
    const first = this.records[0]
    return recordSize(record, first === undefined ? record.timestamp : first.timestamp, this.records.length)
  }

  /** Adds a record taking `bytes` in the batch and holding `memory` bytes of `bufferMemory`. */
  append(record: PendingRecord, bytes: number, memory: number, sink: DeliverySink, slot: number): void {
    this.records.push(record)
    this.sinks.push(sink)
    this.slots.push(slot)
    this.sizeBytes += bytes
    this.memory += memory
    this.bytes = undefined
  }

  /** Gives the batch a producer identity and sequence, or clears them (`baseSequence` -1). */
  setProducerState(producerId: bigint, producerEpoch: number, baseSequence: number, isTransactional: boolean): void {
    if (this.producerId === producerId && this.producerEpoch === producerEpoch && this.baseSequence === baseSequence && this.isTransactional === isTransactional) return
    this.producerId = producerId
    this.producerEpoch = producerEpoch
    this.baseSequence = baseSequence
    this.isTransactional = isTransactional
    this.bytes = undefined
  }

  /** The batch's wire bytes (RecordBatch v2), encoded on first use. */
  encode(compression: CompressionCodec, compressionLevel: number | undefined): Buffer {
    this.bytes ??= encodeRecordBatch({
      records: this.records,
      compression,
      compressionLevel,
      baseTimestamp: this.records[0]!.timestamp,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.baseSequence,
      isTransactional: this.isTransactional,
    })
    return this.bytes
  }

  /** The wire bytes from the last {@link encode}, if still valid. */
  get encoded(): Buffer | undefined {
    return this.bytes
  }

  /** Resolves every record: offsets from `baseOffset` (-1n when unknown), the append time when the topic uses it. */
  succeed(baseOffset: bigint, logAppendTime: bigint, onAck: AcknowledgementHook | undefined): void {
    if (this.done) return
    this.done = true
    const topic = this.queue.topic
    const partition = this.queue.partition
    const appendTime = logAppendTime >= 0n ? Number(logAppendTime) : -1
    const known = baseOffset >= 0n
    const records = this.records
    for (let i = 0; i < records.length; i++) {
      const metadata: RecordMetadata =
        appendTime >= 0
          ? { topic, partition, offset: known ? baseOffset + delta(i) : -1n, timestamp: appendTime, baseOffset, logAppendTime: appendTime }
          : { topic, partition, offset: known ? baseOffset + delta(i) : -1n, timestamp: records[i]!.timestamp, baseOffset }
      if (onAck) onAck(metadata, undefined)
      this.sinks[i]!.resolve(this.slots[i]!, metadata)
    }
  }

  /** Rejects every record with `error`. */
  fail(error: KafkaError, onAck: AcknowledgementHook | undefined): void {
    if (this.done) return
    this.done = true
    for (let i = 0; i < this.records.length; i++) {
      if (onAck) onAck(undefined, error)
      this.sinks[i]!.reject(this.slots[i]!, error)
    }
  }
}

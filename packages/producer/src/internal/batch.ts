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

const NO_SPLIT: readonly number[] = Object.freeze([])

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
  /**
   * Its place among all batches in the order they were first sent (0 before that). A batch split from
   * a refused one takes the refused batch's, and `splitPath` orders it among its siblings.
   */
  sendOrder = 0
  /** For a batch split from a larger one: its index at each split, outermost first (see {@link split}); empty otherwise. */
  splitPath: readonly number[] = NO_SPLIT
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

  /**
   * The batches this one becomes when the broker refused it as too large (MESSAGE_TOO_LARGE), its
   * records in order, at least one in each: when it is larger than `maxBytes` (uncompressed, as
   * `batchSize` counts), batches filled up to `maxBytes` as the Java client's `ProducerBatch.split`
   * does; otherwise (the usual case: batches are filled only up to `batchSize`) its two halves, cut
   * where its bytes are halved. Each keeps the records' outcomes, its creation time and delivery
   * deadline, is full (nothing more is appended) and is ordered where this batch was (`sendOrder`,
   * `splitPath`). A batch holding sequence numbers hands its range on: the first part starts at its
   * base sequence, each next one where the previous ended, under the same producer id and epoch, so the
   * partition's later batches keep theirs (the broker refused this batch before looking at its
   * sequence). The split does not count as an attempt. This batch itself is left as it was; the caller
   * replaces it (see `Accumulator.replaceSplit`).
   */
  split(maxBytes: number): ProducerBatch[] {
    const records = this.records
    const n = records.length
    // Where each part starts.
    const starts = [0]
    if (this.sizeBytes > maxBytes) {
      let size = BATCH_OVERHEAD
      let first = 0
      for (let i = 0; i < n; i++) {
        const bytes = recordSize(records[i]!, records[first]!.timestamp, i - first)
        if (i > first && size + bytes > maxBytes) {
          starts.push(i)
          first = i
          size = BATCH_OVERHEAD + recordSize(records[i]!, records[i]!.timestamp, 0)
        } else size += bytes
      }
    } else if (n > 1) {
      const half = (this.sizeBytes - BATCH_OVERHEAD) / 2
      const base = records[0]!.timestamp
      // The first part's record count: between 1 and n - 1, its bytes as close to half as can be.
      let cut = 1
      let before = recordSize(records[0]!, base, 0)
      while (cut < n - 1 && before < half) {
        const next = before + recordSize(records[cut]!, base, cut)
        if (next - half >= half - before) break
        before = next
        cut++
      }
      starts.push(cut)
    }
    const out: ProducerBatch[] = []
    let memory = 0
    for (let k = 0; k < starts.length; k++) {
      const part = new ProducerBatch(this.queue, this.createdAt, this.deadline)
      const end = k + 1 < starts.length ? starts[k + 1]! : n
      for (let i = starts[k]!; i < end; i++) {
        const record = records[i]!
        const recordMemory = recordSizeUpperBound(record.key, record.value, record.headers)
        part.append(record, part.sizeOf(record), recordMemory, this.sinks[i]!, this.slots[i]!)
        memory += recordMemory
      }
      out.push(part)
    }
    // The parts hold exactly the memory this batch held (each record's share as the dispatcher reserved it).
    out[out.length - 1]!.memory += this.memory - memory
    let sequence = this.baseSequence
    for (let i = 0; i < out.length; i++) {
      const b = out[i]!
      b.full = true
      b.attempts = Math.max(0, this.attempts - 1)
      b.sendOrder = this.sendOrder
      b.splitPath = [...this.splitPath, i]
      b.lastError = this.lastError
      if (this.baseSequence >= 0) {
        b.setProducerState(this.producerId, this.producerEpoch, sequence, this.isTransactional)
        sequence = addSequence(sequence, b.count)
      }
    }
    return out
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

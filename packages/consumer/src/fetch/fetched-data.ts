import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  DecodeError,
  decodeRecordBatch,
  type DecodedRecord,
} from '@tributary/protocol'
import { RecordError } from '../errors.js'
import type { ConsumerRecord, TimestampType } from '../record.js'
import { TransactionFilter, type AbortedTransaction } from './read-committed.js'
import type { RecordFactory } from './record-factory.js'

/** Offsets of fields in a v2 batch header (see the protocol package's header layout). */
const MAGIC_AT = 16
const PARTITION_LEADER_EPOCH_AT = 12
const ATTRIBUTES_AT = 21
const LAST_OFFSET_DELTA_AT = 23
const PRODUCER_ID_AT = 43
const V2_HEADER_SIZE = 61

function int64At(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4)
}

/**
 * The records one Fetch response returned for one partition, kept as the fetched bytes and decoded a
 * batch at a time as they are delivered, so buffered data costs its wire size and not a decoded object
 * per record. On arrival only the batch headers are scanned, for the offset the next fetch starts at.
 *
 * Delivery skips records before the fetch offset (a fetch from the middle of a batch returns the whole
 * batch), control batches, and with `read_committed` the batches of aborted transactions.
 */
export class FetchedData {
  /** The offset after the last complete batch: where the next fetch starts. */
  readonly endOffset: number
  /** Bytes of complete batches (a partial batch at the end, cut by the broker's byte limit, is ignored). */
  readonly size: number
  private readonly filter: TransactionFilter
  private pos = 0
  private records: DecodedRecord[] | null = null
  private index = 0
  private timestampType: TimestampType = 'CreateTime'
  private leaderEpoch: number | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly bytes: Buffer,
    /** The fetch offset of the request: records before it are not delivered. */
    readonly startOffset: number,
    aborted: readonly AbortedTransaction[] | null,
    private readonly verifyCrc: boolean,
  ) {
    let pos = 0
    let end = startOffset
    while (pos + 12 <= bytes.length) {
      const length = bytes.readInt32BE(pos + 8)
      if (length < 0) throw new DecodeError(`Fetched ${topic}-${partition} has a record batch with negative length ${length} at byte ${pos}`)
      if (pos + 12 + length > bytes.length) break
      const base = int64At(bytes, pos)
      const magic = length >= 5 ? bytes[pos + MAGIC_AT]! : -1
      const last = magic === 2 && length >= LAST_OFFSET_DELTA_AT + 4 - 12 ? base + bytes.readInt32BE(pos + LAST_OFFSET_DELTA_AT) : base
      if (last + 1 > end) end = last + 1
      pos += 12 + length
    }
    this.size = pos
    this.endOffset = end
    this.filter = new TransactionFilter(aborted)
  }

  /** True once every record has been delivered or skipped. */
  get exhausted(): boolean {
    return this.records === null && this.pos >= this.size
  }

  /**
   * Appends up to `max` deliverable records to `out` through `make`, and returns how many. Returns 0 only
   * when exhausted. Throws a DecodeError or CorruptRecordError for a bad batch, or a deserializer's error;
   * the failing record is then the next one.
   */
  take(max: number, make: RecordFactory<unknown, unknown>, out: ConsumerRecord<unknown, unknown>[]): number {
    let taken = 0
    while (taken < max) {
      if (this.records === null) {
        try {
          if (!this.nextBatch()) break
        } catch (err) {
          throw new RecordError(this.topic, this.partition, BigInt(Math.max(this.startOffset, int64At(this.bytes, this.pos))), err)
        }
      }
      const records = this.records!
      const topic = this.topic
      const partition = this.partition
      try {
        while (this.index < records.length && taken < max) {
          out.push(make(topic, partition, records[this.index]!, this.timestampType, this.leaderEpoch))
          this.index++
          taken++
        }
      } catch (err) {
        throw new RecordError(topic, partition, BigInt(records[this.index]!.offset), err)
      }
      if (this.index >= records.length) this.records = null
    }
    return taken
  }

  /** Decodes the next deliverable batch into `records`; false when none is left. On error `pos` stays at the bad batch. */
  private nextBatch(): boolean {
    const bytes = this.bytes
    while (this.pos < this.size) {
      const at = this.pos
      const size = 12 + bytes.readInt32BE(at + 8)
      const records = this.decodeAt(at, size)
      this.pos = at + size
      if (records === null) continue
      let first = 0
      while (first < records.length && records[first]!.offset < this.startOffset) first++
      if (first < records.length) {
        this.records = records
        this.index = first
        return true
      }
    }
    return false
  }

  /** The records of the batch at `at`, or null when it is skipped (already consumed, control, aborted). */
  private decodeAt(at: number, size: number): DecodedRecord[] | null {
    const bytes = this.bytes
    const magic = bytes[at + MAGIC_AT]
    const slice = bytes.subarray(at, at + size)
    const options = { verifyCrc: this.verifyCrc }
    if (magic === 2 && size >= V2_HEADER_SIZE) {
      const last = int64At(bytes, at) + bytes.readInt32BE(at + LAST_OFFSET_DELTA_AT)
      if (last < this.startOffset) return null
      const attributes = bytes.readInt16BE(at + ATTRIBUTES_AT)
      const info = {
        isControl: (attributes & ATTRIBUTE_CONTROL) !== 0,
        isTransactional: (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0,
        producerId: bytes.readBigInt64BE(at + PRODUCER_ID_AT),
        lastOffset: last,
      }
      if (!this.filter.deliverable(info, () => decodeRecordBatch(slice, options).records[0])) return null
      this.timestampType = (attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0 ? 'LogAppendTime' : 'CreateTime'
      const epoch = bytes.readInt32BE(at + PARTITION_LEADER_EPOCH_AT)
      this.leaderEpoch = epoch >= 0 ? epoch : undefined
      return decodeRecordBatch(slice, options).records
    }
    // Legacy message sets (magic 0/1): the entry's offset is its last record's.
    if (int64At(bytes, at) < this.startOffset) return null
    const batch = decodeRecordBatch(slice, options)
    this.timestampType = batch.timestampType
    this.leaderEpoch = undefined
    return batch.records
  }
}

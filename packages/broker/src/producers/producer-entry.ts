/**
 * What one partition remembers about one producer id: its epoch, the sequence and offset ranges of
 * its last five batches (enough to answer any retry of a producer with at most five requests in
 * flight), and the first offset of its open transaction on the partition.
 */

/** No producer epoch known (Kafka's `RecordBatch.NO_PRODUCER_EPOCH`). */
export const NO_PRODUCER_EPOCH = -1
/** No sequence known (Kafka's `RecordBatch.NO_SEQUENCE`). */
export const NO_SEQUENCE = -1
/** How many batches per producer are kept for duplicate detection, as Kafka keeps. */
export const CACHED_BATCHES = 5

const INT32_MAX = 0x7fff_ffff

/** One appended batch of a producer. */
export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: number
  lastOffset: number
  /** The batch's max timestamp as stored (the append time on LogAppendTime topics). */
  timestamp: number
}

/** A producer id's state in one partition. */
export interface ProducerEntry {
  readonly producerId: bigint
  epoch: number
  /** The transaction coordinator epoch of the last marker written for it. */
  coordinatorEpoch: number
  /** First offset of its open transaction in this partition, -1 when none is open. */
  currentTxnFirstOffset: number
  /** Max timestamp of its last batch or marker: what expiry and DescribeProducers use, as in Kafka. */
  lastTimestamp: number
  /** Its most recent batches, oldest first, at most {@link CACHED_BATCHES}. */
  batches: BatchMetadata[]
}

/** A fresh entry for a producer id the partition has not seen. */
export function newEntry(producerId: bigint): ProducerEntry {
  return { producerId, epoch: NO_PRODUCER_EPOCH, coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: -1, batches: [] }
}

/** A copy that can be changed without touching `entry` (the batch list is copied too). */
export function copyEntry(entry: ProducerEntry): ProducerEntry {
  return { ...entry, batches: [...entry.batches] }
}

/**
 * The last sequence of a batch whose first sequence is `firstSeq` and whose last offset delta is
 * `lastOffsetDelta`. Sequences wrap from 2^31-1 to 0, as producers number them.
 *
 * @example
 * ```ts
 * lastSequenceOf(10, 4) // 14
 * lastSequenceOf(2147483647, 1) // 0
 * ```
 */
export function lastSequenceOf(firstSeq: number, lastOffsetDelta: number): number {
  return firstSeq > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - firstSeq) - 1 : firstSeq + lastOffsetDelta
}

/** Whether `next` is the sequence right after `last` (0 follows 2^31-1). */
export function isNextSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX)
}

/** The last sequence the entry has appended, or {@link NO_SEQUENCE}. */
export function lastSequence(entry: ProducerEntry): number {
  return entry.batches.length > 0 ? entry.batches[entry.batches.length - 1]!.lastSeq : NO_SEQUENCE
}

/** The last offset the entry has appended data at, or -1. */
export function lastDataOffset(entry: ProducerEntry): number {
  return entry.batches.length > 0 ? entry.batches[entry.batches.length - 1]!.lastOffset : -1
}

/**
 * The cached batch with exactly this epoch and sequence range: a retry of a batch already
 * appended. Undefined when there is none.
 */
export function findDuplicate(entry: ProducerEntry, epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
  if (entry.epoch !== epoch) return undefined
  return entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq)
}

/** Moves the entry to a newer epoch: the batches of the old epoch no longer count. */
export function updateEpoch(entry: ProducerEntry, epoch: number): void {
  if (entry.epoch === epoch) return
  entry.epoch = epoch
  entry.batches = []
}

/** Records an appended batch, keeping the newest {@link CACHED_BATCHES}. */
export function addBatch(entry: ProducerEntry, batch: BatchMetadata): void {
  entry.batches.push(batch)
  if (entry.batches.length > CACHED_BATCHES) entry.batches.shift()
  entry.lastTimestamp = batch.timestamp
}

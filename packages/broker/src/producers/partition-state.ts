import { isControlBatch, isTransactionalBatch } from '@tributary/protocol'
import type { PartitionLog } from '../log/partition-log.js'
import type { AbortedTxnIndex } from './aborted-index.js'
import { addBatch, lastDataOffset, lastSequenceOf, newEntry, updateEpoch, type ProducerEntry } from './producer-entry.js'
import type { StoredBatch } from './stored-batches.js'

/** A transaction that ended in this partition: its first offset and its marker's. */
export interface CompletedTxn {
  producerId: bigint
  firstOffset: number
  markerOffset: number
  commit: boolean
}

/**
 * The producer state of one partition: every producer id's entry, the transactions open in it, and
 * its aborted transactions. Changed only by {@link apply}, for batches in log order, whether they
 * were just appended or are replayed from the log after a restart.
 */
export class PartitionProducerState {
  /** Entries by producer id. */
  readonly entries = new Map<bigint, ProducerEntry>()
  /** Open transactions: producer id → first offset in this partition. */
  private readonly open = new Map<bigint, number>()
  /** Offsets below this have been applied. */
  nextOffset: number

  constructor(
    readonly log: PartitionLog,
    readonly aborted: AbortedTxnIndex,
    nextOffset: number,
  ) {
    this.nextOffset = nextOffset
  }

  /** Replaces the state with a snapshot's entries describing the log up to `offset`. */
  restore(entries: readonly ProducerEntry[], offset: number): void {
    this.entries.clear()
    this.open.clear()
    for (const e of entries) {
      this.entries.set(e.producerId, e)
      if (e.currentTxnFirstOffset >= 0) this.open.set(e.producerId, e.currentTxnFirstOffset)
    }
    this.nextOffset = offset
  }

  /** The first offset of the oldest open transaction, or undefined when none is open. */
  firstUnstableOffset(): number | undefined {
    let first: number | undefined
    for (const offset of this.open.values()) if (first === undefined || offset < first) first = offset
    return first
  }

  /** The last stable offset: the oldest open transaction's first offset, else the high watermark. */
  lastStableOffset(): number {
    const hw = this.log.highWatermark
    const first = this.firstUnstableOffset()
    return first === undefined ? hw : Math.min(first, hw)
  }

  /** How many transactions are open in this partition. */
  get openTransactions(): number {
    return this.open.size
  }

  /**
   * Applies one stored batch: a data batch records its sequence range (and opens a transaction
   * when transactional), a marker closes the producer's open transaction, indexing it when
   * aborted. `segmentBase` names the segment the batch is in. Returns the transaction a marker
   * completed, if any.
   */
  apply(batch: StoredBatch, segmentBase: number): CompletedTxn | undefined {
    const { header, baseOffset, lastOffset } = batch
    this.nextOffset = Math.max(this.nextOffset, lastOffset + 1)
    const producerId = header.producerId
    if (producerId < 0n) return undefined
    let entry = this.entries.get(producerId)
    if (!entry) {
      entry = newEntry(producerId)
      this.entries.set(producerId, entry)
    }
    const timestamp = Number(header.maxTimestamp)
    if (isControlBatch(header.attributes)) {
      if (header.producerEpoch > entry.epoch) updateEpoch(entry, header.producerEpoch)
      entry.lastTimestamp = timestamp
      if (!batch.marker) return undefined
      entry.coordinatorEpoch = batch.marker.coordinatorEpoch
      if (entry.currentTxnFirstOffset < 0) return undefined
      const completed = { producerId, firstOffset: entry.currentTxnFirstOffset, markerOffset: baseOffset, commit: batch.marker.commit }
      entry.currentTxnFirstOffset = -1
      this.open.delete(producerId)
      if (!completed.commit) this.indexAbort(completed, lastOffset + 1, segmentBase)
      return completed
    }
    updateEpoch(entry, header.producerEpoch)
    addBatch(entry, { firstSeq: header.baseSequence, lastSeq: lastSequenceOf(header.baseSequence, header.lastOffsetDelta), firstOffset: baseOffset, lastOffset, timestamp })
    if (isTransactionalBatch(header.attributes) && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = baseOffset
      this.open.set(producerId, baseOffset)
    }
    return undefined
  }

  /**
   * Forgets producers without an open transaction whose last write is `expirationMs` old (Kafka's
   * `producer.id.expiration.ms`, measured on batch timestamps as Kafka does) or whose batches all
   * lie below the log start offset, and aborted transactions below it. Returns how many expired.
   */
  expire(now: number, expirationMs: number): number {
    const logStart = this.log.logStartOffset
    let expired = 0
    for (const [producerId, e] of this.entries) {
      if (e.currentTxnFirstOffset >= 0) continue
      const stale = now - e.lastTimestamp >= expirationMs
      const deleted = e.batches.length > 0 && lastDataOffset(e) < logStart
      if (stale || deleted) {
        this.entries.delete(producerId)
        expired++
      }
    }
    this.aborted.prune(logStart)
    return expired
  }

  private indexAbort(txn: CompletedTxn, afterMarker: number, segmentBase: number): void {
    const lastStableOffset = this.firstUnstableOffset() ?? afterMarker
    try {
      this.aborted.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.markerOffset, lastStableOffset }, segmentBase)
    } catch (err) {
      // The marker is in the log: replaying it at the next start indexes it again.
      this.log.logger.error(`${this.log.name}: recording the aborted transaction of producer ${txn.producerId} in the transaction index failed`, err)
    }
  }
}

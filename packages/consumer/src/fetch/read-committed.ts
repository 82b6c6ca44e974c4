import { decodeControlRecord, type DecodedRecord } from '@tributary/protocol'

/** An aborted transaction as a Fetch response lists it: its producer and the offset of its first record. */
export interface AbortedTransaction {
  producerId: bigint
  firstOffset: bigint
}

/** What the filter needs to know about a batch, read from its header. */
export interface BatchInfo {
  isControl: boolean
  isTransactional: boolean
  producerId: bigint
  lastOffset: number
}

/**
 * Decides, batch by batch in offset order, which batches of one fetched partition a consumer may
 * deliver, the way Kafka's consumer does with `read_committed`:
 *
 * - The Fetch response lists the aborted transactions overlapping the fetched range. Before looking at
 *   a batch, every aborted transaction starting at or before the batch's last offset marks its producer
 *   as aborted.
 * - A transactional data batch from an aborted producer is dropped.
 * - An ABORT marker (control batch) from that producer ends its aborted transaction.
 * - Control batches (COMMIT and ABORT markers) are never delivered, whatever the isolation level.
 *
 * With `read_uncommitted` the broker lists no aborted transactions, so only control batches are dropped.
 */
export class TransactionFilter {
  private readonly pending: AbortedTransaction[]
  private next = 0
  private readonly abortedProducers = new Set<bigint>()

  constructor(aborted: readonly AbortedTransaction[] | null) {
    this.pending = aborted && aborted.length > 0 ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : []
  }

  /**
   * Whether the records of a batch reach the user. `controlRecord` reads the batch's control record;
   * it is called only for a control batch of a producer with an open aborted transaction.
   */
  deliverable(batch: BatchInfo, controlRecord: () => DecodedRecord | undefined): boolean {
    if (this.next < this.pending.length && batch.producerId >= 0n) {
      const last = BigInt(batch.lastOffset)
      while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= last) {
        this.abortedProducers.add(this.pending[this.next]!.producerId)
        this.next++
      }
    }
    if (batch.isControl) {
      if (batch.isTransactional && this.abortedProducers.has(batch.producerId)) {
        const record = controlRecord()
        if (record && decodeControlRecord(record).marker === 'ABORT') this.abortedProducers.delete(batch.producerId)
      }
      return false
    }
    return !(batch.isTransactional && this.abortedProducers.has(batch.producerId))
  }
}

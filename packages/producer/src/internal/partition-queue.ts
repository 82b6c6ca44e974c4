import { PartitionSequences } from '../idempotence/sequence-state.js'
import type { ProducerBatch } from './batch.js'

/**
 * One partition's batches, oldest first: the last one open for appends, the others full or waiting to
 * be retried (retries go back in front, in their original order). Also what is in flight for the
 * partition and, for idempotent producers, its sequence numbers.
 */
export class PartitionQueue {
  readonly batches: ProducerBatch[] = []
  /** Batches of this partition sent and not yet answered. */
  inFlight = 0
  /** The partition's sequence numbers (used by idempotent producers only). */
  readonly sequences = new PartitionSequences()
  /** The transaction (by its number) the partition was added to with AddPartitionsToTxn; 0 for none. */
  txnAdded = 0
  /** The transaction the partition was queued to be added to. */
  txnRequested = 0

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The open batch records are appended to, if any (the last one, unless it is full). */
  get open(): ProducerBatch | undefined {
    const last = this.batches[this.batches.length - 1]
    return last !== undefined && !last.full && last.attempts === 0 ? last : undefined
  }

  /**
   * Puts a batch that must be sent again back among the waiting ones: in front of every batch sent
   * later than it, so a partition's batches go out again in their original order. Several batches
   * (the parts of a split batch, in order) go in together, where the first would.
   */
  requeue(...batches: ProducerBatch[]): void {
    const first = batches[0]
    if (first === undefined) return
    let at = 0
    while (at < this.batches.length && this.batches[at]!.sendOrder > 0 && sentBefore(this.batches[at]!, first)) at++
    this.batches.splice(at, 0, ...batches)
  }
}

/**
 * Whether `a` was first sent before `b` (batches are numbered as they are first sent; the parts of a
 * split batch share its number and are ordered by their place in the split).
 */
function sentBefore(a: ProducerBatch, b: ProducerBatch): boolean {
  if (a.sendOrder !== b.sendOrder) return a.sendOrder < b.sendOrder
  const pa = a.splitPath
  const pb = b.splitPath
  const n = Math.min(pa.length, pb.length)
  for (let i = 0; i < n; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]!
  return false
}

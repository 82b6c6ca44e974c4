import type { KafkaError } from '@tributary/protocol'
import type { DeliverySink } from './delivery.js'
import { ProducerBatch, type AcknowledgementHook, type PendingRecord } from './internal/batch.js'
import { BufferMemory } from './internal/memory.js'
import { PartitionQueue } from './internal/partition-queue.js'

/** The accumulator's settings: the producer options of the same names. */
export interface AccumulatorOptions {
  batchSize: number
  lingerMs: number
  deliveryTimeoutMs: number
  bufferMemory: number
}

/** What {@link Accumulator.append} did. */
export enum AppendResult {
  /** Added to the partition's open batch, which has room for more. */
  Appended = 0,
  /** Added, and a batch of the partition is now full: the sender has something to send. */
  BatchFull = 1,
  /** Added as the first record of a new batch. */
  NewBatch = 2,
  /** Not added: it needs a new batch and the caller asked to be told first (the sticky partitioner moves on). */
  NeedsNewBatch = 3,
}

/**
 * Records waiting to be sent, in per-partition batches: a record joins its partition's open batch while
 * the batch stays within `batchSize` (a record larger than that gets a batch of its own), else starts a
 * new one. The sender takes batches when they are full, have lingered `lingerMs`, or a flush or close
 * asks for everything now. Every record holds its size of `bufferMemory` until its batch completes.
 *
 * @example
 * ```ts
 * const acc = new Accumulator({ batchSize: 16384, lingerMs: 5, deliveryTimeoutMs: 120000, bufferMemory: 33554432 })
 * acc.append(acc.queue('orders', 0), record, size, sink, 0, Date.now(), true)
 * ```
 */
export class Accumulator {
  readonly memory: BufferMemory
  /** Every partition queue, in the order they were first used. */
  readonly queues: PartitionQueue[] = []
  /** Called once per record as it completes (the interceptors' onAcknowledgement), if set. */
  onAcknowledgement: AcknowledgementHook | undefined
  private readonly byTopic = new Map<string, PartitionQueue[]>()
  private readonly incomplete = new Set<ProducerBatch>()
  private flushWaiters: { batches: Set<ProducerBatch>; resolve(): void }[] = []
  private flushes = 0

  constructor(readonly options: AccumulatorOptions) {
    this.memory = new BufferMemory(options.bufferMemory)
  }

  /** The queue of one partition (created on first use). */
  queue(topic: string, partition: number): PartitionQueue {
    let partitions = this.byTopic.get(topic)
    if (partitions === undefined) {
      partitions = []
      this.byTopic.set(topic, partitions)
    }
    let q = partitions[partition]
    if (q === undefined) {
      q = new PartitionQueue(topic, partition)
      partitions[partition] = q
      this.queues.push(q)
    }
    return q
  }

  /** The queue of one partition if it exists. */
  peekQueue(topic: string, partition: number): PartitionQueue | undefined {
    return this.byTopic.get(topic)?.[partition]
  }

  /** Batches accepted and not yet completed (queued or in flight). */
  get incompleteBatches(): number {
    return this.incomplete.size
  }

  /** True while a flush (or close) wants every batch sent without lingering. */
  get flushing(): boolean {
    return this.flushes > 0
  }

  /**
   * Adds a record (whose `memory` bytes of buffer memory are already reserved) to its partition's open
   * batch while the batch's encoded size stays within `batchSize`, or to a new batch; with
   * `allowNewBatch` false, reports NeedsNewBatch instead of starting one.
   */
  append(q: PartitionQueue, record: PendingRecord, memory: number, sink: DeliverySink, slot: number, now: number, allowNewBatch: boolean): AppendResult {
    const open = q.open
    if (open !== undefined) {
      const bytes = open.sizeOf(record)
      if (open.sizeBytes + bytes <= this.options.batchSize) {
        open.append(record, bytes, memory, sink, slot)
        if (open.sizeBytes >= this.options.batchSize) {
          open.full = true
          return AppendResult.BatchFull
        }
        return AppendResult.Appended
      }
      if (!allowNewBatch) return AppendResult.NeedsNewBatch
      open.full = true
    } else if (!allowNewBatch) {
      return AppendResult.NeedsNewBatch
    }
    const batch = new ProducerBatch(q, now, now + this.options.deliveryTimeoutMs)
    batch.append(record, batch.sizeOf(record), memory, sink, slot)
    q.batches.push(batch)
    this.incomplete.add(batch)
    if (open !== undefined || batch.sizeBytes >= this.options.batchSize) {
      batch.full ||= batch.sizeBytes >= this.options.batchSize
      return AppendResult.BatchFull
    }
    return AppendResult.NewBatch
  }

  /** Whether the head batch of `q` should be sent now (full, lingered long enough, or wanted now). */
  isReady(q: PartitionQueue, head: ProducerBatch, now: number): boolean {
    return head.full || q.batches.length > 1 || head.attempts > 0 || now - head.createdAt >= this.options.lingerMs || this.flushes > 0 || this.memory.exhausted
  }

  /** Completes a batch successfully and gives its memory back. */
  succeed(batch: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    if (batch.done) return
    batch.succeed(baseOffset, logAppendTime, this.onAcknowledgement)
    this.release(batch)
  }

  /** Fails a batch (it must no longer be queued or in flight) and gives its memory back. */
  fail(batch: ProducerBatch, error: KafkaError): void {
    if (batch.done) return
    batch.fail(error, this.onAcknowledgement)
    this.release(batch)
  }

  /**
   * Replaces a batch the broker refused as too large (no longer queued or in flight) by the batches it
   * was split into (`ProducerBatch.split`): they take over its records, outcomes and buffer memory, any
   * flush waiting for it waits for them, and they go back in its partition's queue where it would have
   * been retried, in order, ahead of the partition's later batches. With sequence numbers they take
   * its place among the partition's outstanding batches too.
   */
  replaceSplit(batch: ProducerBatch, parts: ProducerBatch[]): void {
    if (batch.done || parts.length === 0) return
    batch.done = true
    this.incomplete.delete(batch)
    for (const p of parts) this.incomplete.add(p)
    for (const w of this.flushWaiters) {
      if (w.batches.delete(batch)) for (const p of parts) w.batches.add(p)
    }
    if (batch.baseSequence >= 0) batch.queue.sequences.replace(batch, parts)
    batch.queue.requeue(...parts)
  }

  /** Removes a batch from its queue (when it expires or is aborted there). */
  unqueue(batch: ProducerBatch): void {
    const batches = batch.queue.batches
    const at = batches.indexOf(batch)
    if (at >= 0) batches.splice(at, 1)
  }

  /**
   * Resolves once every batch incomplete now has completed; until then every batch is sent without
   * lingering. Records accepted later are not waited for.
   */
  flush(): Promise<void> {
    if (this.incomplete.size === 0) return Promise.resolve()
    this.flushes++
    return new Promise<void>((resolve) => {
      this.flushWaiters.push({
        batches: new Set(this.incomplete),
        resolve: () => {
          this.flushes--
          resolve()
        },
      })
    })
  }

  /** Fails every incomplete batch, queued or in flight (the producer is closing or unusable). */
  failIncomplete(error: KafkaError): void {
    for (const q of this.queues) q.batches.length = 0
    for (const batch of [...this.incomplete]) this.fail(batch, error)
  }

  private release(batch: ProducerBatch): void {
    this.incomplete.delete(batch)
    this.memory.release(batch.memory)
    if (this.flushWaiters.length === 0) return
    const still: typeof this.flushWaiters = []
    for (const w of this.flushWaiters) {
      w.batches.delete(batch)
      if (w.batches.size === 0) w.resolve()
      else still.push(w)
    }
    this.flushWaiters = still
  }
}

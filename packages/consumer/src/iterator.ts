import type { Deliveries, Delivery } from './delivery/deliveries.js'
import type { ConsumerRecord } from './record.js'

/** What the iterator needs from the consumer. */
export interface IteratorSource {
  readonly deliveries: Deliveries
  readonly maxPollRecords: number
  /** Resolves once the consumer is running (subscribed or assigned); rejects when it cannot start. */
  ready(): Promise<void>
  /** True once the consumer is closing: iteration ends. */
  readonly closing: boolean
  /** Aborts when the consumer closes, waking a waiting iterator. */
  readonly closeSignal: AbortSignal
}

/**
 * `for await (const record of consumer)`: records one at a time, in offset order within each
 * partition, partitions interleaved delivery by delivery (up to `maxPollRecords` at a time).
 *
 * A record counts as processed (its offset + 1 becomes committable) when the loop asks for the next
 * one. Leaving the loop (`break`, `return`, or an exception) does not mark the record the loop was on
 * as processed, so it is delivered again after a restart or rebalance: at least once, never lost.
 * Iteration ends when the consumer closes; errors the consumer meets (no offset with
 * `autoOffsetReset: 'none'`, a record that cannot be deserialized) are thrown from the loop.
 *
 * @example
 * ```ts
 * for await (const record of consumer) {
 *   await save(record) // processed once the loop comes back for the next record
 * }
 * ```
 */
export class RecordIterator<K, V> implements AsyncIterableIterator<ConsumerRecord<K, V>> {
  private current: Delivery | null = null
  private index = 0
  private started = false

  constructor(private readonly source: IteratorSource) {}

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<ConsumerRecord<K, V>>> {
    this.settlePrevious()
    // Fast path: the next record of the current delivery, without an async function's extra turns.
    const d = this.current
    if (d && this.index < d.records.length && this.started && !this.source.closing) {
      return Promise.resolve({ value: d.records[this.index++] as ConsumerRecord<K, V>, done: false })
    }
    return this.poll()
  }

  private async poll(): Promise<IteratorResult<ConsumerRecord<K, V>>> {
    const { deliveries } = this.source
    if (!this.started) {
      await this.source.ready()
      this.started = true
    }
    for (;;) {
      if (this.source.closing) return this.done()
      const failure = deliveries.takeFailure()
      if (failure) throw failure
      this.current ??= deliveries.take(this.source.maxPollRecords)
      if (this.current) {
        const record = this.current.records[this.index++]!
        return { value: record as ConsumerRecord<K, V>, done: false }
      }
      await deliveries.wait(this.source.closeSignal)
    }
  }

  /** Ends iteration; the record the loop was on is left unprocessed. */
  async return(): Promise<IteratorResult<ConsumerRecord<K, V>>> {
    return this.done()
  }

  private done(): IteratorResult<ConsumerRecord<K, V>> {
    if (this.current) {
      const unprocessed = this.index > 0 ? Number(this.current.records[this.index - 1]!.offset) : Number(this.current.records[0]!.offset)
      this.source.deliveries.finish(this.current, unprocessed)
      this.current = null
      this.index = 0
    }
    return { value: undefined, done: true }
  }

  /** The loop asked for more: the record it was on is processed. */
  private settlePrevious(): void {
    const d = this.current
    if (!d) return
    if (d.state.revoking || d.state.epoch !== d.epoch) {
      // Revoked or seeked meanwhile: hand the rest back rather than keep a rebalance or seek waiting.
      const next = this.index > 0 ? Number(d.records[this.index - 1]!.offset) + 1 : Number(d.records[0]!.offset)
      this.source.deliveries.finish(d, next)
      this.current = null
      this.index = 0
    } else if (this.index >= d.records.length) {
      this.source.deliveries.finish(d)
      this.current = null
      this.index = 0
    } else if (this.index > 0) {
      this.source.deliveries.progress(d, Number(d.records[this.index - 1]!.offset) + 1)
    }
  }
}

import type { KafkaError } from '@tributary/protocol'
import type { RecordFactory } from '../fetch/record-factory.js'
import type { AssignedPartitions, PartitionState } from '../offsets/positions.js'
import type { ConsumerRecord } from '../record.js'

/** Records of one partition handed to the user, in offset order, and how far their processing got. */
export interface Delivery<K = unknown, V = unknown> {
  readonly state: PartitionState
  readonly records: ConsumerRecord<K, V>[]
  /** The partition's epoch when taken: a seek meanwhile makes this delivery stale. */
  readonly epoch: number
  /** The position after these records (past skipped control batches too). */
  readonly end: number
  /** When processing was last seen making progress (ms since the epoch), for `maxPollIntervalMs`. */
  progressAt: number
  /** Bumped on every bit of progress; sampled by {@link Deliveries.stalledFor}, keeping clock reads off the per-record path. */
  marks: number
  seenMarks: number
}

/**
 * Hands buffered records to the iterator and the runner: at most one delivery per partition at a
 * time (so records of a partition are processed in order, one after the other), partitions taken in
 * turn, paused and revoking partitions skipped. It also tracks how long processing takes, which is
 * what `maxPollIntervalMs` bounds.
 */
export class Deliveries {
  private rotation = 0
  private readonly outstanding = new Set<Delivery>()
  private waiters: (() => void)[] = []
  private pollers = 0
  private lastActivity = Date.now()
  private failure: KafkaError | undefined
  private pollListeners = new Set<() => void>()

  constructor(
    private readonly partitions: AssignedPartitions,
    private readonly make: RecordFactory<unknown, unknown>,
  ) {
    partitions.onChange(() => this.wake())
  }

  /**
   * Takes up to `max` records of the next partition with deliverable data, or returns null. Fetched
   * data with nothing deliverable (control batches, aborted transactions) only moves the position.
   * Throws a RecordError when a record cannot be decoded or deserialized.
   */
  take(max: number): Delivery | null {
    this.touch()
    const states = this.partitions.all()
    const n = states.length
    for (let i = 0; i < n; i++) {
      const state = states[(this.rotation + i) % n]!
      if (!state.deliverable()) continue
      const records: ConsumerRecord<unknown, unknown>[] = []
      try {
        while (records.length < max && state.buffered.length > 0) {
          const data = state.buffered[0]!
          data.take(max - records.length, this.make, records)
          if (!data.exhausted) break
          state.buffered.shift()
          state.bufferedBytes -= data.size
          if (data.endOffset > state.position) state.position = data.endOffset
        }
      } catch (err) {
        if (records.length === 0) throw err
      }
      if (records.length === 0) {
        if (state.consumed < state.position) state.consumed = state.position
        this.partitions.changed()
        continue
      }
      const last = Number(records[records.length - 1]!.offset) + 1
      if (last > state.position) state.position = last
      state.claimed = true
      this.rotation = (this.rotation + i + 1) % n
      const delivery: Delivery = { state, records, epoch: state.epoch, end: state.position, progressAt: Date.now(), marks: 0, seenMarks: 0 }
      this.outstanding.add(delivery)
      this.partitions.changed()
      return delivery
    }
    return null
  }

  /** Records that processing reached `next` (the offset after the last processed record). */
  progress(delivery: Delivery, next: number): void {
    delivery.marks++
    const state = delivery.state
    if (state.epoch === delivery.epoch && next > state.consumed) state.consumed = next
  }

  /**
   * Ends a delivery: processed up to `next` (default: all of it). When processing stopped early (an
   * error), the partition rewinds to `next`, so the unprocessed records are delivered again.
   */
  finish(delivery: Delivery, next = delivery.end): void {
    if (!this.outstanding.delete(delivery)) return
    this.touch()
    const state = delivery.state
    if (state.epoch === delivery.epoch) {
      if (next > state.consumed) state.consumed = next
      if (next < delivery.end) state.seek(next)
    }
    state.release()
    this.partitions.changed()
  }

  /** Waits until data may be deliverable, a failure is reported, or `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (this.failure || signal?.aborted) return
    this.pollers++
    this.touch()
    try {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done)
          resolve()
        }
        this.waiters.push(done)
        signal?.addEventListener('abort', done, { once: true })
      })
    } finally {
      this.pollers--
      this.touch()
    }
  }

  /** Makes consumers see `error` (once): the next `takeFailure()` returns it. */
  fail(error: KafkaError): void {
    this.failure ??= error
    this.wake()
  }

  /**
   * The error the next poll must throw: a reported failure (cleared once taken), else the error of a
   * partition that waits for a `seek` (reported on every poll until the seek, as Kafka's `poll` does).
   */
  takeFailure(): KafkaError | undefined {
    const f = this.failure
    if (f) {
      this.failure = undefined
      return f
    }
    for (const s of this.partitions.all()) if (s.awaitingSeek && !s.paused) return s.awaitingSeek
    return undefined
  }

  /**
   * How long processing has been stuck: the oldest outstanding delivery without progress, or, when
   * nobody is processing or waiting for records, the time since anyone last did.
   */
  stalledFor(now: number): number {
    let stalled = 0
    for (const d of this.outstanding) {
      if (d.marks !== d.seenMarks) {
        d.seenMarks = d.marks
        d.progressAt = now
      }
      stalled = Math.max(stalled, now - d.progressAt)
    }
    if (this.outstanding.size === 0 && this.pollers === 0) stalled = now - this.lastActivity
    return stalled
  }

  /** Resolves when the user is polling: now if someone processes or waits for records, else at the next poll. */
  whenPolled(signal?: AbortSignal): Promise<void> {
    if (this.pollers > 0 || this.outstanding.size > 0 || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        off()
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const off = this.onPoll(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  /** Calls `listener` whenever the user polls (takes, waits, or finishes a delivery). */
  onPoll(listener: () => void): () => void {
    this.pollListeners.add(listener)
    return () => this.pollListeners.delete(listener)
  }

  /** Wakes every waiter. */
  wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  private touch(): void {
    this.lastActivity = Date.now()
    for (const l of this.pollListeners) l()
  }
}

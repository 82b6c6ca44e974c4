import type { KafkaError } from '@tributary/protocol'
import type { FetchedData } from '../fetch/fetched-data.js'
import { tpKey, type TopicPartition } from '../record.js'

/** Where a partition's position comes from when it is not known. */
export type PositionSource = 'committed' | 'earliest' | 'latest'

/**
 * Everything the consumer tracks about one assigned partition. Offsets are plain numbers internally
 * (record offsets stay below 2^53: the decoder refuses anything larger) and bigints at the API.
 */
export class PartitionState implements TopicPartition {
  readonly key: string
  /** The next offset to deliver; -1 until known. */
  position = -1
  /** The offset after the last processed record: what commits store; -1 until known. */
  consumed = -1
  /** The `consumed` value last committed (or read from the group), so auto-commit skips unchanged ones. */
  committed = -1
  /** The next offset to fetch: ahead of `position` by what is buffered or in flight. */
  fetchOffset = -1
  /** Bumped whenever the position jumps (seek, reset, rewind): fetch responses from before are dropped. */
  epoch = 0
  /** How the position is to be found when it is unknown; null once it is known. */
  pending: PositionSource | null = 'committed'
  /**
   * Set when `autoOffsetReset` is 'none' and there was no valid offset: the error each poll reports
   * until a seek gives the partition a position.
   */
  awaitingSeek: KafkaError | null = null
  paused = false
  /** Being revoked: nothing more is delivered. */
  revoking = false
  /** From the latest fetch response; -1 until then. */
  highWatermark = -1
  lastStableOffset = -1
  logStartOffset = -1
  /** A fetch including this partition is in flight. */
  fetching = false
  /** After a fetch error, not fetched again before this time (ms since the epoch). */
  retryAt = 0
  /** Fetched data not yet delivered, oldest first. */
  readonly buffered: FetchedData[] = []
  bufferedBytes = 0
  /** The delivery being processed, if any; at most one per partition keeps order. */
  claimed = false
  private idleWaiters: (() => void)[] = []

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.key = tpKey(topic, partition)
  }

  /** Sets the position (and what counts as consumed), dropping buffered data and stale fetches. */
  seek(offset: number): void {
    this.position = offset
    this.consumed = offset
    this.fetchOffset = offset
    this.pending = null
    this.awaitingSeek = null
    this.clearBuffer()
  }

  /** Forgets the position; it will be found again from `source`. */
  reset(source: PositionSource): void {
    this.position = -1
    this.fetchOffset = -1
    this.pending = source
    this.clearBuffer()
  }

  /** Drops buffered data; fetches in flight will be ignored. */
  clearBuffer(): void {
    this.buffered.length = 0
    this.bufferedBytes = 0
    this.epoch++
  }

  /** Whether a fetch may include this partition now. */
  fetchable(now: number): boolean {
    return this.pending === null && this.awaitingSeek === null && !this.paused && !this.revoking && !this.fetching && this.buffered.length <= 2 && now >= this.retryAt
  }

  /** Whether a delivery may be taken from this partition now. */
  deliverable(): boolean {
    return !this.claimed && !this.paused && !this.revoking && this.buffered.length > 0
  }

  /** Resolves once no delivery of this partition is being processed. */
  whenIdle(): Promise<void> {
    if (!this.claimed) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Marks the partition's delivery finished. */
  release(): void {
    this.claimed = false
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}

/**
 * The partitions assigned to this consumer (by the group or by `assign()`) and their state, with a
 * change signal the fetcher and the delivery wait on.
 */
export class AssignedPartitions {
  private readonly states = new Map<string, PartitionState>()
  private readonly listeners = new Set<() => void>()

  get size(): number {
    return this.states.size
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(tpKey(topic, partition))
  }

  /** The state of an assigned partition; throws naming the partition when it is not assigned. */
  require(tp: TopicPartition, operation: string): PartitionState {
    const state = this.states.get(tpKey(tp.topic, tp.partition))
    if (!state) throw new TypeError(`Cannot ${operation} ${tp.topic}-${tp.partition}: the partition is not assigned to this consumer`)
    return state
  }

  all(): PartitionState[] {
    return [...this.states.values()]
  }

  partitions(): TopicPartition[] {
    return this.all().map(({ topic, partition }) => ({ topic, partition }))
  }

  /** Adds partitions (already present ones are kept as they are); returns the new states. */
  add(partitions: readonly TopicPartition[]): PartitionState[] {
    const added: PartitionState[] = []
    for (const { topic, partition } of partitions) {
      const key = tpKey(topic, partition)
      if (this.states.has(key)) continue
      const state = new PartitionState(topic, partition)
      this.states.set(key, state)
      added.push(state)
    }
    if (added.length > 0) this.changed()
    return added
  }

  /** Removes partitions, dropping their buffered data. */
  remove(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.states.get(tpKey(topic, partition))
      if (!state) continue
      state.clearBuffer()
      this.states.delete(state.key)
    }
    this.changed()
  }

  /** Calls `listener` whenever partitions, positions or pauses change, or data is delivered. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tells the listeners something changed. */
  changed(): void {
    for (const l of [...this.listeners]) l()
  }
}

import { setMaxListeners } from 'node:events'
import { Cluster, ClientClosedError } from '@tributary/client'
import { KafkaError, compressionReady } from '@tributary/protocol'
import { resolveAssignors } from './assignors/builtin.js'
import { MAX_TIMER_MS, closeTimeoutError, closeTimeoutOf, type ConsumerCloseOptions } from './close.js'
import type { ConsumerContext } from './context.js'
import { Deliveries } from './delivery/deliveries.js'
import { Fetcher } from './fetch/fetcher.js'
import { recordFactory } from './fetch/record-factory.js'
import { GroupMembership } from './group/membership.js'
import { Ownership } from './group/ownership.js'
import type { RebalanceListener } from './group/rebalance-listener.js'
import { TopicSubscription } from './group/subscription.js'
import { RecordIterator } from './iterator.js'
import { OffsetCommitter } from './offsets/committer.js'
import { AssignedPartitions, type PartitionState } from './offsets/positions.js'
import { PositionResolver } from './offsets/resolver.js'
import { parseConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './options.js'
import { sortPartitions, toOffset, type CommittedOffset, type ConsumerRecord, type PartitionLag, type TopicPartition, type TopicPartitionOffset } from './record.js'
import { runConsumer, type RunnerSource, type RunOptions } from './runner.js'

/** The group identity a transactional producer needs for `sendOffsetsToTransaction` (KIP-447). */
export interface ConsumerGroupMetadata {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

/**
 * A Kafka consumer: joins a consumer group (`subscribe`) or reads chosen partitions (`assign`), and
 * delivers records through `for await` or `run({ eachMessage | eachBatch })`, in offset order within
 * each partition. Offsets are committed automatically (every `autoCommitIntervalMs`, when partitions
 * are revoked, and at `close()`) or with `commit()`. Reads `read_committed` by default: records of
 * aborted transactions and transaction markers never reach you.
 *
 * @example
 * ```ts
 * const consumer = new Consumer({ bootstrapServers: 'localhost:9092', groupId: 'billing', autoOffsetReset: 'earliest' })
 * await consumer.subscribe(['orders'])
 * for await (const record of consumer) {
 *   console.log(record.topic, record.partition, record.offset, record.value?.toString())
 * }
 * ```
 * @typeParam K - the key type (Buffer unless a `keyDeserializer` is given)
 * @typeParam V - the value type (Buffer unless a `valueDeserializer` is given)
 */
export class Consumer<K = Buffer | null, V = Buffer | null> implements AsyncIterable<ConsumerRecord<K, V>> {
  /** The validated options, defaults filled in. */
  readonly options: ResolvedConsumerOptions
  private readonly cluster: Cluster
  private readonly partitions = new AssignedPartitions()
  private readonly deliveries: Deliveries
  private readonly ctx: ConsumerContext
  private readonly committer: OffsetCommitter | undefined
  private readonly resolver: PositionResolver
  private readonly fetcher: Fetcher
  private readonly closeController = new AbortController()
  /** Aborts when close() runs out of its `timeoutMs`: broker work still in progress is given up. */
  private readonly closeDeadline = new AbortController()
  private membership: GroupMembership | undefined
  private listener: RebalanceListener | undefined
  private mode: 'none' | 'subscribed' | 'assigned' = 'none'
  private started: Promise<void> | undefined
  private closing: Promise<void> | undefined
  /** Set once close() has finished: the connections are closed. */
  private closed = false

  /** @throws OptionsError naming every invalid option. */
  constructor(options: ConsumerOptions<K, V>) {
    const o = parseConsumerOptions(options)
    this.options = o
    this.cluster = new Cluster({ ...o, allowAutoTopicCreation: o.allowAutoCreateTopics })
    this.deliveries = new Deliveries(this.partitions, recordFactory(o.keyDeserializer, o.valueDeserializer))
    const self = this
    this.ctx = {
      cluster: this.cluster,
      options: o,
      logger: o.logger,
      partitions: this.partitions,
      generation: () => this.membership?.identity() ?? { generationId: -1, memberId: '', groupInstanceId: null },
      whenStable: (signal) => this.membership?.whenStable(signal) ?? Promise.resolve(),
      fail: (error) => {
        o.logger.error(error.message, { code: error.code })
        this.deliveries.fail(error)
      },
      get closing() {
        return self.closing !== undefined
      },
      closeSignal: this.closeController.signal,
      closeDeadline: this.closeDeadline.signal,
    }
    // Every commit in progress listens to it (a user may have many): not a leak.
    setMaxListeners(0, this.closeDeadline.signal)
    this.committer = o.groupId ? new OffsetCommitter(this.ctx, o.groupId) : undefined
    this.resolver = new PositionResolver(this.ctx, this.committer)
    this.fetcher = new Fetcher(this.ctx, (state, error) => this.outOfRange(state, error))
  }

  /**
   * Joins the consumer group `groupId` and consumes the partitions the group assigns this member, with
   * `listener` told about every change. `topics` is a list of names or a pattern matched against every
   * topic (rechecked every `metadataMaxAgeMs`). Calling it again replaces the subscription.
   *
   * @example
   * ```ts
   * await consumer.subscribe(/^orders\./, { onPartitionsRevoked: (tps) => console.log('giving up', tps) })
   * ```
   */
  async subscribe(topics: string | readonly string[] | RegExp, listener?: RebalanceListener): Promise<void> {
    this.checkOpen()
    const groupId = this.options.groupId
    if (!groupId) throw new TypeError('subscribe() needs the groupId option; use assign() to read partitions without a group')
    if (this.mode === 'assigned') throw new TypeError('This consumer reads assigned partitions; call unsubscribe() before subscribe()')
    const spec = topics instanceof RegExp ? topics : typeof topics === 'string' ? [topics] : [...topics]
    if (Array.isArray(spec) && (spec.length === 0 || spec.some((t) => typeof t !== 'string' || t.length === 0))) throw new TypeError('subscribe() needs topic names or a RegExp')
    this.listener = listener
    const subscription = new TopicSubscription(this.ctx, spec)
    if (this.membership) {
      this.membership.resubscribe(subscription)
      return
    }
    this.mode = 'subscribed'
    const ownership = new Ownership(this.ctx, this.committer!, this.resolver, () => this.listener)
    const membership = new GroupMembership(this.ctx, groupId, resolveAssignors(this.options.partitionAssignmentStrategy), subscription, ownership, this.deliveries)
    this.membership = membership
    await this.start()
    // Closed (or unsubscribed) meanwhile: the member must not start joining.
    if (this.closing) return
    membership.start()
  }

  /**
   * Reads exactly these partitions, without group management (no rebalancing). Positions start at
   * the group's committed offsets when `groupId` is set, else per `autoOffsetReset`. Calling it again
   * replaces the assignment.
   *
   * @example
   * ```ts
   * await consumer.assign([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }])
   * ```
   */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.checkOpen()
    if (this.mode === 'subscribed') throw new TypeError('This consumer is subscribed to a group; call unsubscribe() before assign()')
    this.mode = 'assigned'
    const keep = new Set(partitions.map((p) => `${p.topic}:${p.partition}`))
    const dropped = this.partitions.all().filter((s) => !keep.has(s.key))
    if (dropped.length > 0 && this.committer && this.options.enableAutoCommit) await this.committer.commitConsumed(dropped)
    this.partitions.remove(dropped)
    this.partitions.add(partitions)
    this.resolver.schedule()
    await this.start()
  }

  /**
   * Leaves the group (revoking and committing as at close), or drops the manual assignment; the
   * consumer may then `subscribe` or `assign` again.
   *
   * @example
   * ```ts
   * await consumer.unsubscribe()
   * await consumer.assign([{ topic: 'orders', partition: 0 }])
   * ```
   */
  async unsubscribe(): Promise<void> {
    if (this.membership) {
      await this.membership.stop('the consumer unsubscribed')
      this.membership = undefined
    } else {
      if (this.committer && this.options.enableAutoCommit) await this.committer.commitConsumed()
      this.partitions.remove(this.partitions.partitions())
    }
    this.mode = 'none'
  }

  /**
   * Iterates over records as they arrive; see {@link RecordIterator} for when a record counts as processed.
   *
   * @example
   * ```ts
   * for await (const record of consumer) await save(record.value)
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<ConsumerRecord<K, V>> {
    return new RecordIterator<K, V>(this.source())
  }

  /**
   * Processes records with `eachMessage` (one at a time) or `eachBatch` (up to `maxPollRecords` of one
   * partition at a time) until the consumer closes or `signal` aborts; rejects with a handler's error
   * (the failing record is delivered again to the next run).
   *
   * @example
   * ```ts
   * await consumer.run({
   *   partitionsConsumedConcurrently: 4,
   *   eachMessage: async ({ record }) => { await save(record.value) },
   * })
   * ```
   */
  run(options: RunOptions<K, V>): Promise<void> {
    return runConsumer(this.source(), options)
  }

  /**
   * Commits offsets: by default the consumed position of every assigned partition (the offset after
   * the last processed record); or the given ones (each the *next* offset to read, as in Kafka).
   * Once `close()` has begun it throws `ClientClosedError` while records are still being processed
   * (a handler's commit); after that, e.g. in `onPartitionsRevoked` at close, it works until close()
   * has finished, within its `timeoutMs` (else rejecting with code `CLOSE_TIMEOUT`).
   *
   * @example
   * ```ts
   * await consumer.commit([{ topic: 'orders', partition: 0, offset: record.offset + 1n }])
   * ```
   */
  async commit(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    // Closing: the final commits (onPartitionsRevoked's) come once processing has stopped.
    if (this.closed || (this.closing && this.partitions.all().some((s) => s.claimed))) throw new ClientClosedError('The consumer')
    if (!this.committer) throw new TypeError('commit() needs the groupId option')
    if (!offsets) return this.committer.commitConsumed()
    const parsed = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: toOffset(o.offset, `${o.topic}-${o.partition}`), metadata: o.metadata }))
    await this.committer.commit(parsed)
    for (const o of parsed) {
      const s = this.partitions.get(o.topic, o.partition)
      if (s && o.offset > s.committed) s.committed = o.offset
    }
  }

  /**
   * The group's committed offsets of `partitions` (default: those assigned); `offset` is null where the
   * group has committed nothing.
   *
   * @example
   * ```ts
   * const [{ offset }] = await consumer.committed([{ topic: 'orders', partition: 0 }])
   * ```
   */
  async committed(partitions: readonly TopicPartition[] = this.partitions.partitions()): Promise<CommittedOffset[]> {
    this.checkOpen()
    if (!this.committer) throw new TypeError('committed() needs the groupId option')
    const found = await this.committer.fetchCommitted(partitions)
    return sortPartitions(partitions).map(({ topic, partition }) => {
      const c = found.get(`${topic}:${partition}`)
      const has = c !== undefined && c.offset >= 0
      return { topic, partition, offset: has ? BigInt(c.offset) : null, metadata: has ? c.metadata : null, leaderEpoch: has ? c.leaderEpoch : -1 }
    })
  }

  /**
   * The next offset this consumer will deliver from an assigned partition, or null while it is being
   * looked up (from the group's commits or `autoOffsetReset`).
   *
   * @example
   * ```ts
   * const next = consumer.position({ topic: 'orders', partition: 0 }) // e.g. 42n
   * ```
   */
  position(partition: TopicPartition): bigint | null {
    const state = this.partitions.require(partition, 'get the position of')
    return state.pending === null ? BigInt(state.position) : null
  }

  /**
   * Moves an assigned partition's position: the next record delivered is the one at `offset`.
   * Records already fetched past the old position are dropped.
   *
   * @example
   * ```ts
   * consumer.seek({ topic: 'orders', partition: 0, offset: 100n })
   * ```
   */
  seek(target: TopicPartitionOffset): void {
    const state = this.partitions.require(target, 'seek')
    state.seek(toOffset(target.offset, `${target.topic}-${target.partition}`))
    this.partitions.changed()
  }

  /**
   * Moves partitions (default: all assigned) to their earliest offset.
   *
   * @example
   * ```ts
   * consumer.seekToBeginning([{ topic: 'orders', partition: 0 }])
   * ```
   */
  seekToBeginning(partitions?: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'earliest')
  }

  /**
   * Moves partitions (default: all assigned) to their end: only records produced from now on are read.
   *
   * @example
   * ```ts
   * consumer.seekToEnd()
   * ```
   */
  seekToEnd(partitions?: readonly TopicPartition[]): void {
    this.resetTo(partitions, 'latest')
  }

  /**
   * Stops fetching and delivering these partitions until {@link resume}; their positions are kept, and
   * the group does not rebalance.
   *
   * @example
   * ```ts
   * consumer.pause([{ topic: 'orders', partition: 0 }]) // e.g. while a downstream system is busy
   * ```
   */
  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.partitions.require(tp, 'pause').paused = true
    this.partitions.changed()
  }

  /**
   * Resumes paused partitions.
   *
   * @example
   * ```ts
   * consumer.resume(consumer.paused())
   * ```
   */
  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.partitions.require(tp, 'resume').paused = false
    this.partitions.changed()
  }

  /**
   * The paused partitions.
   *
   * @example
   * ```ts
   * if (consumer.paused().length > 0) console.log('backpressure')
   * ```
   */
  paused(): TopicPartition[] {
    return sortPartitions(this.partitions.all().filter((s) => s.paused)).map(({ topic, partition }) => ({ topic, partition }))
  }

  /**
   * The partitions currently assigned to this consumer, sorted.
   *
   * @example
   * ```ts
   * console.log(consumer.assignment()) // [{ topic: 'orders', partition: 0 }, ...]
   * ```
   */
  assignment(): TopicPartition[] {
    return sortPartitions(this.partitions.partitions())
  }

  /**
   * Per assigned partition: position, end offset (from the latest fetch: the last stable offset with
   * read_committed, else the high watermark) and the lag between them.
   *
   * @example
   * ```ts
   * const behind = consumer.lag().reduce((sum, p) => sum + (p.lag ?? 0n), 0n)
   * ```
   */
  lag(): PartitionLag[] {
    const committedRead = this.options.isolationLevel === 'read_committed'
    return sortPartitions(this.partitions.all()).map((s) => {
      const end = committedRead && s.lastStableOffset >= 0 ? s.lastStableOffset : s.highWatermark
      const position = s.pending === null ? s.position : -1
      return {
        topic: s.topic,
        partition: s.partition,
        position: position >= 0 ? BigInt(position) : null,
        endOffset: end >= 0 ? BigInt(end) : null,
        lag: position >= 0 && end >= 0 ? BigInt(Math.max(0, end - position)) : null,
      }
    })
  }

  /**
   * The group identity for a transactional producer's `sendOffsetsToTransaction` (generation -1 and
   * an empty member id outside group management).
   *
   * @example
   * ```ts
   * await producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata())
   * ```
   */
  groupMetadata(): ConsumerGroupMetadata {
    if (!this.options.groupId) throw new TypeError('groupMetadata() needs the groupId option')
    const { generationId, memberId, groupInstanceId } = this.ctx.generation()
    return { groupId: this.options.groupId, generationId, memberId, groupInstanceId }
  }

  /**
   * Closes the consumer: iteration and `run()` end, records being processed finish, consumed offsets
   * are committed (with `enableAutoCommit`), `onPartitionsRevoked` is called, the member leaves the
   * group (static members do not: their partitions wait for them until the session times out), and
   * connections close. A join in progress is abandoned at once (the JoinGroup or SyncGroup in flight
   * and the retries behind it, even against a broker that has gone away), and the member leaves if
   * the coordinator had already given it an id.
   *
   * `timeoutMs` (default 30 000, as the Java client) bounds the broker work: the commits (an
   * auto-commit in flight, those of the revoked partitions, and those `onPartitionsRevoked` makes)
   * and LeaveGroup. It counts from when the records being processed have been handled: close() waits
   * for running handlers (and an iteration's current record) to return, however long they take, so
   * call it from outside them (or don't await it there); rebalance listener callbacks are not
   * interrupted either. When the time is up, commits still retrying are given up and logged as
   * warnings naming the partitions (their records will be delivered again: at least once), LeaveGroup
   * is skipped (the member's session expires instead), connections close and close() resolves: it
   * does not reject because the broker is unreachable. Calling it again returns the same promise.
   *
   * @throws TypeError (as a rejection, without closing) when `timeoutMs` is not a non-negative integer.
   * @example
   * ```ts
   * process.once('SIGTERM', () => void consumer.close()) // up to 30 s for the final commits and LeaveGroup
   * await consumer.close({ timeoutMs: 5_000 }) // give the broker 5 s at most
   * ```
   */
  close(options?: ConsumerCloseOptions): Promise<void> {
    let timeoutMs: number
    try {
      timeoutMs = closeTimeoutOf(options)
    } catch (err) {
      return Promise.reject(err as Error)
    }
    this.closing ??= this.shutdown(timeoutMs)
    return this.closing
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closeController.abort()
    this.deliveries.wake()
    this.fetcher.stop()
    // The clock starts once the records being processed now are done (the steps below wait for them).
    let timer: NodeJS.Timeout | undefined
    let finished = false
    void Promise.all(this.partitions.all().map((s) => s.whenIdle())).then(() => {
      if (finished || timeoutMs > MAX_TIMER_MS) return
      timer = setTimeout(() => this.closeDeadline.abort(closeTimeoutError(timeoutMs)), timeoutMs)
    })
    try {
      await this.committer?.stopAutoCommit()
      if (this.membership) await this.membership.stop('the consumer is closing')
      else if (this.committer && this.options.enableAutoCommit) {
        await Promise.all(this.partitions.all().map((s) => s.whenIdle()))
        await this.committer.commitConsumed().catch((err: unknown) => this.options.logger.warn(`Committing at close failed: ${(err as Error).message}`))
      }
    } finally {
      finished = true
      clearTimeout(timer)
      this.closed = true
      this.cluster.close()
    }
  }

  /** The one-time start: codecs loaded, the fetcher and auto-commit running. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      await compressionReady()
      if (this.closing) return
      this.fetcher.start()
      if (this.committer && this.options.enableAutoCommit) this.committer.startAutoCommit()
    })()
    return this.started
  }

  private source(): RunnerSource {
    const self = this
    return {
      deliveries: this.deliveries,
      maxPollRecords: this.options.maxPollRecords,
      closeSignal: this.closeController.signal,
      get closing() {
        return self.closing !== undefined
      },
      ready: () => this.started ?? Promise.reject(new TypeError('Call subscribe() or assign() before consuming')),
      pause: (tps) => this.pause(tps),
    }
  }

  private resetTo(partitions: readonly TopicPartition[] | undefined, at: 'earliest' | 'latest'): void {
    const states = partitions ? partitions.map((tp) => this.partitions.require(tp, 'seek')) : this.partitions.all()
    for (const s of states) s.reset(at)
    this.resolver.schedule()
    this.partitions.changed()
  }

  private outOfRange(state: PartitionState, error: KafkaError): void {
    const policy = this.options.autoOffsetReset
    if (policy === 'none') {
      state.awaitingSeek = new KafkaError(`${state.topic}-${state.partition}: offset ${state.fetchOffset} is out of range and autoOffsetReset is 'none'; seek() to a valid offset`, {
        code: 'OFFSET_OUT_OF_RANGE',
        cause: error,
      })
      this.partitions.changed()
      return
    }
    this.options.logger.info(`${state.topic}-${state.partition}: offset ${state.fetchOffset} is out of range; resetting to ${policy}`)
    state.reset(policy)
    this.resolver.schedule()
  }

  private checkOpen(): void {
    if (this.closing) throw new ClientClosedError('The consumer')
  }
}

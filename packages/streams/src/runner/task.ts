import { KafkaAggregateError, type ClientOptions, type Logger } from '@tributary/client'
import type { Consumer, ConsumerRecord, EachBatchPayload, RebalanceListener, TopicPartition } from '@tributary/consumer'
import { FatalProducerError } from '@tributary/producer'
import { StreamsError } from '../errors.js'
import type { OutputRecord, StreamRecord } from '../record.js'
import { InFlight } from '../scope/in-flight.js'
import { currentScope, runInScope, type ProcessingScope } from '../scope/processing-scope.js'
import { deadLetterRecord } from '../topics/dead-letter.js'
import { decodeRecord } from '../topics/decode-record.js'
import type { TopicDefinition } from '../topics/define-topic.js'
import type { OutputTopics } from '../topics/encode-output.js'
import { OutputBatcher } from '../sinks/output-batcher.js'
import type { CommitStrategy } from './commit-strategy.js'
import type { StreamsEvent, StreamsMetrics } from './events.js'
import { PartitionProgress } from './partition-progress.js'
import type { Pipeline } from './pipeline.js'
import type { StoreRegistry } from './store-registry.js'
import { TaskLock } from './task-lock.js'

/** What the task works with, wired by the app. */
export interface TaskParts {
  consumer: Consumer
  strategy: CommitStrategy
  stores: StoreRegistry
  inputs: ReadonlyMap<string, TopicDefinition<unknown, unknown>>
  outputs: OutputTopics
  metrics: StreamsMetrics
  client: ClientOptions
  logger: Logger
  commitIntervalMs: number
  maxInFlightPerPartition: number
  processingRetries: number
  emit(event: StreamsEvent): void
  /** The app must stop with `error` (called without awaiting; the app shuts down on its own). */
  fail(error: unknown): void
}

type Raw = ConsumerRecord<Buffer | null, Buffer | null>

/**
 * The read-process-write loop of a runner: feeds consumed records into the pipeline (each in its own
 * processing scope), writes outputs, commits every `commitIntervalMs` (outputs, changelog and offsets
 * together under exactly-once), and on a processing failure or a rebalance rewinds: the open work is
 * abandoned (the transaction aborted), stores roll back to their committed state, partitions seek back
 * to their committed offsets and the pipeline is built anew. Feeding, committing, rewinding and
 * rebalance handling run one at a time under a lock.
 */
export class Task {
  readonly lock = new TaskLock()
  readonly flows: InFlight
  readonly progress = new PartitionProgress()
  pipeline!: Pipeline<StreamRecord<unknown, unknown>>
  /** Feeding is allowed (the app is running). */
  active = false
  private generation = 0
  private readonly batcher: OutputBatcher
  private pendingFailure: { error: unknown } | undefined
  private failuresInARow = 0
  private lastCommit = Date.now()

  constructor(private readonly parts: TaskParts) {
    const consumer = parts.consumer
    this.batcher = new OutputBatcher((records) => parts.strategy.sendBatch(records))
    this.flows = new InFlight(parts.maxInFlightPerPartition, {
      pause: (topic, partition) => consumer.pause([{ topic, partition }]),
      resume: (topic, partition) => {
        if (this.progress.owns(topic, partition)) consumer.resume([{ topic, partition }])
      },
    })
  }

  /** The rebalance listener the consumer subscribes with. */
  readonly listener: RebalanceListener = {
    onPartitionsAssigned: (tps) => this.assigned(tps),
    onPartitionsRevoked: (tps) => this.revoked(tps, false),
    onPartitionsLost: (tps) => this.revoked(tps, true),
  }

  /** The consumer's `eachBatch`: feeds a batch, then commits or recovers when due. */
  async onBatch(batch: EachBatchPayload<Buffer | null, Buffer | null>): Promise<void> {
    await this.lock.run(() => this.feed(batch))
    if (this.pipeline.failure || this.pendingFailure) await this.lock.run(() => this.recover())
    else if (Date.now() - this.lastCommit >= this.parts.commitIntervalMs) await this.lock.run(() => this.commit())
  }

  /** Commits if the commit interval has passed (for the app's timer, when no batches arrive). */
  tick(): void {
    if (!this.active || !this.parts.strategy.open || Date.now() - this.lastCommit < this.parts.commitIntervalMs) return
    void this.lock.run(() => this.commit())
  }

  /** The pipeline's sink: writes one output, tied to the input record being processed. */
  write(output: OutputRecord): void {
    const scope = currentScope()
    if (!scope) {
      throw new StreamsError(
        'The pipeline emitted an output while no input record was being processed, so no input offset covers it; emit outputs synchronously or through mapAsync()',
        'OUTSIDE_PROCESSING',
      )
    }
    this.batcher.add(this.parts.outputs.encode(output), scope)
    this.parts.metrics.outputsWritten++
  }

  /** Notes a failure of the pipeline or of a write; the task rewinds at the next opportunity. */
  noteFailure(error: unknown): void {
    this.pendingFailure ??= { error }
    if (this.active) void this.lock.run(() => this.recover())
  }

  /** Commits the work done so far (under the lock). */
  async commit(): Promise<void> {
    const { strategy, stores, metrics } = this.parts
    if (!strategy.open) {
      this.lastCommit = Date.now()
      return
    }
    await this.flows.whenIdle()
    if (this.pipeline.failure || this.pendingFailure) return this.recover()
    const offsets = this.progress.pending()
    try {
      await strategy.commit(stores.changelogRecords(), offsets)
    } catch (err) {
      if (this.isFatal(err)) return this.parts.fail(err)
      this.parts.logger.warn(`Commit failed, rewinding to the last commit: ${(err as Error).message}`)
      return this.rewind('the commit failed', err)
    }
    stores.commit()
    this.progress.committed(offsets)
    this.failuresInARow = 0
    this.lastCommit = Date.now()
    metrics.commits++
    this.parts.emit({ type: 'committed', offsets })
  }

  /**
   * Gives up the work since the last commit: abandons it (aborts the transaction), rolls the stores
   * back, seeks every partition fed since the commit back to its committed offset, and rebuilds the
   * pipeline (cancelling asynchronous work of the old one).
   */
  async rewind(reason: string, error?: unknown): Promise<void> {
    this.generation++
    try {
      await this.parts.strategy.abandon()
    } catch (err) {
      return this.parts.fail(err)
    }
    this.parts.stores.rollback()
    for (const o of this.progress.rewind()) this.parts.consumer.seek({ topic: o.topic, partition: o.partition, offset: o.offset })
    this.flows.reset()
    this.pendingFailure = undefined
    this.pipeline.build()
    this.parts.metrics.aborts++
    this.parts.emit({ type: 'aborted', reason, error })
  }

  private feed({ topic, partition, records, isStale }: EachBatchPayload<Buffer | null, Buffer | null>): Promise<void> | void {
    if (!this.active || isStale() || !this.progress.owns(topic, partition) || this.pipeline.failure || this.pendingFailure) return
    return this.parts.strategy.begin().then(() => {
      const def = this.parts.inputs.get(topic)!
      const generation = this.generation
      const onSettled = (_scope: ProcessingScope, error: unknown) => {
        if (error !== undefined && generation === this.generation) this.noteFailure(error)
      }
      if (this.flows.full(topic, partition)) {
        this.flows.pauseIfFull(topic, partition)
        this.parts.consumer.seek({ topic, partition, offset: records[0]!.offset })
        return
      }
      for (const raw of records as Raw[]) {
        if (isStale() || this.pipeline.failure || this.pendingFailure) break
        const offset = Number(raw.offset)
        const scope = this.flows.begin(topic, partition, offset, onSettled)
        this.progress.fed(topic, partition, offset)
        this.parts.metrics.recordsProcessed++
        let record: StreamRecord<unknown, unknown>
        try {
          record = decodeRecord(def, raw)
        } catch (err) {
          this.deadLetter(def, raw, err, scope)
          scope.close()
          continue
        }
        runInScope(scope, () => this.pipeline.feed(record))
        scope.close()
      }
      this.flows.pauseIfFull(topic, partition)
    })
  }

  private deadLetter(def: TopicDefinition<unknown, unknown>, raw: Raw, error: unknown, scope: ProcessingScope): void {
    if (def.deadLetterTopic === false) {
      scope.fail(error)
      return
    }
    this.batcher.add(deadLetterRecord(raw, error, def.deadLetterTopic), scope)
    this.parts.metrics.deadLettered++
    this.parts.emit({ type: 'dead-lettered', topic: raw.topic, partition: raw.partition, offset: raw.offset, deadLetterTopic: def.deadLetterTopic, error })
  }

  /** Rewinds after a failure, or fails the app when it keeps failing (under the lock). */
  private async recover(): Promise<void> {
    const failure = this.pipeline.failure ?? this.pendingFailure
    if (!failure || !this.active) return
    const error = failure.error
    if (this.isFatal(error)) return this.parts.fail(error)
    this.failuresInARow++
    const message = error instanceof Error ? error.message : String(error)
    if (this.failuresInARow > this.parts.processingRetries) {
      return this.parts.fail(new StreamsError(`The pipeline failed ${this.failuresInARow} times in a row without a commit in between; the last failure: ${message}`, 'PROCESSING_FAILED', error))
    }
    this.parts.logger.warn(`Processing failed (${message}); rewinding to the last commit and retrying (${this.failuresInARow} of ${this.parts.processingRetries})`)
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** (this.failuresInARow - 1))))
    await this.rewind(`processing failed: ${message}`, error)
  }

  private async assigned(tps: TopicPartition[]): Promise<void> {
    if (tps.length === 0) return
    try {
      const started = Date.now()
      const committed = await this.parts.consumer.committed(tps)
      const held = new Set(this.parts.stores.heldPartitions())
      const restore = [...new Set(tps.map((tp) => tp.partition))].filter((p) => !held.has(p))
      const restored = await this.parts.stores.restore(restore, this.parts.client)
      await this.lock.run(() => {
        for (const c of committed) this.progress.assign(c, c.offset === null ? null : Number(c.offset))
      })
      this.parts.metrics.restoredRecords += restored
      this.parts.emit({ type: 'assigned', partitions: tps, restoredRecords: restored, restoreMs: Date.now() - started })
    } catch (err) {
      this.parts.fail(err)
    }
  }

  private async revoked(tps: TopicPartition[], lost: boolean): Promise<void> {
    await this.lock.run(async () => {
      const strategy = this.parts.strategy
      if (this.active && !lost && strategy.guarantee === 'at-least-once') await this.commit()
      for (const tp of tps) {
        this.progress.drop(tp)
        this.flows.drop(tp.topic, tp.partition)
      }
      if (this.active && (lost || strategy.guarantee === 'exactly-once')) await this.rewind(lost ? 'partitions were lost' : 'partitions were revoked')
      const owned = new Set(this.parts.consumer.assignment().filter((tp) => this.progress.owns(tp.topic, tp.partition)).map((tp) => tp.partition))
      this.parts.stores.drop([...new Set(tps.map((tp) => tp.partition))].filter((p) => !owned.has(p)))
    })
    this.parts.emit({ type: 'revoked', partitions: tps, lost })
  }

  private isFatal(error: unknown): boolean {
    if (error instanceof FatalProducerError) return true
    if (error instanceof KafkaAggregateError) return [...error.errors.values()].some((e) => e instanceof FatalProducerError)
    return false
  }
}

import { randomUUID } from 'node:crypto'
import type { ClientOptions } from '@tributary/client'
import { Consumer, type ConsumerOptions, type EachBatchPayload } from '@tributary/consumer'
import { Producer, type ProducerOptions } from '@tributary/producer'
import { Subject, type Observable } from 'rxjs'
import type { OutputRecord, StreamRecord } from '../record.js'
import { asTopic, type TopicDefinition, type TopicInput } from '../topics/define-topic.js'
import { OutputTopics } from '../topics/encode-output.js'
import { AtLeastOnceStrategy, ExactlyOnceStrategy, type CommitStrategy, type Guarantee } from './commit-strategy.js'
import { newMetrics, type StreamsEvent, type StreamsMetrics } from './events.js'
import { parseAppOptions, type ResolvedRunnerSettings, type StreamsAppOptions } from './options.js'
import { Pipeline } from './pipeline.js'
import { prepareTopics } from './prepare-topics.js'
import { RunnerContext } from './runner-context.js'
import { StoreRegistry } from './store-registry.js'
import { TableMaterializer } from './table-materializer.js'
import { Task } from './task.js'

type State = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed'

const RUNNER_KEYS = ['application', 'instanceId', 'staticMembership', 'commitIntervalMs', 'maxInFlightPerPartition', 'transactionTimeoutMs', 'processingRetries', 'autoOffsetReset', 'consumer', 'producer'] as const

/**
 * A running read-process-write application, as `exactlyOnce` and `atLeastOnce` create it: one consumer
 * group member (group = `application`), one producer (transactional under exactly-once, with the
 * transactional id `<application>-<instanceId>`), the pipeline, its stores and tables.
 *
 * @example
 * ```ts
 * const app = exactlyOnce({ application: 'billing', bootstrapServers, input: orders, output: totals, process })
 * app.events.subscribe((e) => e.type === 'committed' && console.log('committed', e.offsets))
 * await app.start()
 * process.once('SIGTERM', () => void app.close())
 * await app.done // resolves after close(), rejects when the app fails
 * ```
 */
export class StreamsApp {
  readonly application: string
  readonly instanceId: string
  readonly guarantee: Guarantee
  /** What the app does: assignments, commits, aborts, dead letters, failure. Completes when the app stops. */
  readonly events: Observable<StreamsEvent>
  /** Resolves once the app has closed; rejects with the error that made it fail. */
  readonly done: Promise<void>
  private readonly settings: ResolvedRunnerSettings
  private readonly client: ClientOptions
  private readonly consumer: Consumer
  private readonly strategy: CommitStrategy
  private readonly tables: TableMaterializer
  private readonly task: Task
  private readonly stores: StoreRegistry
  private readonly inputs: Map<string, TopicDefinition<unknown, unknown>>
  private readonly eventSubject = new Subject<StreamsEvent>()
  private readonly metricsData: StreamsMetrics = newMetrics()
  private readonly stopRun = new AbortController()
  private state: State = 'created'
  private running: Promise<void> | undefined
  private starting: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopping: Promise<void> | undefined
  private settle!: { resolve: () => void; reject: (error: unknown) => void }

  constructor(options: StreamsAppOptions<TopicInput, TopicInput>, guarantee: Guarantee) {
    const owner = guarantee === 'exactly-once' ? 'exactlyOnce' : 'atLeastOnce'
    const { pipeline, settings } = parseAppOptions(options, owner)
    this.settings = settings
    this.guarantee = guarantee
    this.application = settings.application
    this.instanceId = settings.instanceId ?? randomUUID()
    this.client = clientPart(settings)
    this.events = this.eventSubject.asObservable()
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }))
    this.done.catch(() => {})
    const inputList = (Array.isArray(pipeline.input) ? pipeline.input : [pipeline.input]) as TopicInput[]
    this.inputs = new Map(inputList.map((t) => [asTopic(t).name, asTopic(t) as TopicDefinition<unknown, unknown>]))
    const outputs = new OutputTopics(pipeline.output === undefined ? undefined : asTopic(pipeline.output), (pipeline.outputs ?? []).map((t) => asTopic(t)))
    const staticMember = settings.staticMembership ?? settings.instanceId !== undefined
    this.consumer = new Consumer({
      ...this.client,
      ...settings.consumer,
      groupId: settings.application,
      groupInstanceId: staticMember ? this.instanceId : undefined,
      enableAutoCommit: false,
      isolationLevel: 'read_committed',
      autoOffsetReset: settings.autoOffsetReset,
    } as ConsumerOptions)
    const producerOptions = { ...this.client, ...settings.producer, acks: 'all' } as ProducerOptions<Buffer | null, Buffer | null>
    this.strategy =
      guarantee === 'exactly-once'
        ? new ExactlyOnceStrategy(new Producer({ ...producerOptions, transactionalId: `${settings.application}-${this.instanceId}`, transactionTimeoutMs: settings.transactionTimeoutMs }), this.consumer)
        : new AtLeastOnceStrategy(new Producer(producerOptions), this.consumer)
    this.stores = new StoreRegistry(settings.application)
    this.tables = new TableMaterializer(settings.logger)
    this.task = new Task({
      consumer: this.consumer,
      strategy: this.strategy,
      stores: this.stores,
      inputs: this.inputs,
      outputs,
      metrics: this.metricsData,
      client: this.client,
      logger: settings.logger,
      commitIntervalMs: settings.commitIntervalMs ?? (guarantee === 'exactly-once' ? 100 : 30_000),
      maxInFlightPerPartition: settings.maxInFlightPerPartition,
      processingRetries: settings.processingRetries,
      emit: (event) => this.emit(event),
      fail: (error) => void this.fail(error),
    })
    const context = new RunnerContext(settings.application, this.stores, this.tables, this.metricsData)
    this.task.pipeline = new Pipeline<StreamRecord<unknown, unknown>>(
      pipeline.process as (records: Observable<StreamRecord<unknown, unknown>>) => Observable<OutputRecord>,
      context,
      (output) => this.task.write(output),
      (error) => this.task.noteFailure(error),
    )
  }

  /**
   * Starts the app: builds the pipeline (registering its stores and tables), creates missing changelog
   * and dead-letter topics, initializes the producer (exactly-once: fencing an older instance with the
   * same id and aborting its open transaction), loads the tables and joins the group. Input partitions
   * are processed once assigned and their state restored. Rejects (and the app fails) when any step fails.
   * A `close()` meanwhile abandons the start: it then resolves, the app closed without having run.
   *
   * @example
   * ```ts
   * await app.start() // e.g. StreamsError RESTORE_FAILED, or the producer's error when the cluster is unreachable
   * ```
   */
  start(): Promise<void> {
    if (this.state !== 'created') return Promise.reject(new TypeError(`${this.application} was already started`))
    this.state = 'starting'
    this.starting = this.startUp()
    return this.starting
  }

  private async startUp(): Promise<void> {
    const abandoned = () => this.state !== 'starting'
    try {
      this.task.pipeline.build()
      if (this.task.pipeline.failure) throw this.task.pipeline.failure.error
      this.stores.freeze()
      const deadLetters = [...this.inputs.values()].map((t) => t.deadLetterTopic).filter((t): t is string => typeof t === 'string')
      await prepareTopics(this.client, { inputs: [...this.inputs.keys()], changelogs: this.stores.changelogTopics(), deadLetters }, this.stopRun.signal)
      if (abandoned()) return
      await this.strategy.init()
      if (abandoned()) return
      await this.tables.start(this.client, this.stopRun.signal)
      if (abandoned()) return
      await this.consumer.subscribe([...this.inputs.keys()], this.task.listener)
      if (abandoned()) return
      this.state = 'running'
      this.task.active = true
      this.running = this.consumer
        .run({ eachBatch: (batch) => this.task.onBatch(batch as EachBatchPayload<Buffer | null, Buffer | null>), signal: this.stopRun.signal })
        .catch((err: unknown) => void this.fail(err))
      this.timer = setInterval(() => this.task.tick(), Math.max(5, Math.min(this.settings.commitIntervalMs ?? 100, 1_000)))
      this.timer.unref()
      this.emit({ type: 'running' })
    } catch (err) {
      // Closed meanwhile: the error is close() abandoning a step (an abort, a closed client).
      if (this.state === 'closing' || this.state === 'closed') return
      await this.fail(err)
      throw err
    }
  }

  /**
   * Stops the app: stops feeding records, commits the work done so far, leaves the group (a static
   * member's partitions wait for it until its session times out) and closes the producer. Called
   * while `start()` is under way, it abandons the start (topic preparation, producer initialization,
   * table loading, the group join) and closes what was opened.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void app.close())
   * ```
   */
  close(): Promise<void> {
    if (this.state === 'failed' || this.state === 'closed') return this.stopping ?? Promise.resolve()
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  /**
   * Counters since the start.
   *
   * @example
   * ```ts
   * const { commits, aborts, lateRecords } = app.metrics()
   * ```
   */
  metrics(): StreamsMetrics {
    return { ...this.metricsData }
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.state === 'running'
    this.state = 'closing'
    clearInterval(this.timer)
    this.stopRun.abort()
    if (this.starting && !wasRunning) {
      // The signal ends the start's steps, but producer initialization only ends when the producer closes.
      const init = this.strategy.close().catch(() => {})
      await this.starting.catch(() => {})
      await init
    }
    await this.running
    if (wasRunning) await this.task.lock.run(() => this.task.commit())
    this.task.active = false
    this.task.pipeline.close()
    await this.consumer.close()
    await this.strategy.close()
    await this.tables.close()
    if (this.state !== 'closing') return
    this.state = 'closed'
    this.emit({ type: 'closed' })
    this.eventSubject.complete()
    this.settle.resolve()
  }

  /** Stops the app because of `error`; never waits on the task's lock (it may be called under it). */
  private async fail(error: unknown): Promise<void> {
    if (this.state === 'failed' || this.state === 'closed') return
    this.state = 'failed'
    this.task.active = false
    clearInterval(this.timer)
    this.stopRun.abort()
    this.settings.logger.error(`${this.application} (${this.instanceId}) failed: ${error instanceof Error ? error.message : String(error)}`)
    this.emit({ type: 'failed', error })
    await new Promise((resolve) => setImmediate(resolve))
    this.task.pipeline.close()
    await this.strategy.abandon().catch(() => {})
    await this.consumer.close().catch(() => {})
    await this.strategy.close().catch(() => {})
    await this.tables.close().catch(() => {})
    this.eventSubject.complete()
    this.settle.reject(error)
  }

  private emit(event: StreamsEvent): void {
    try {
      this.eventSubject.next(event)
    } catch (err) {
      this.settings.logger.warn(`An events subscriber threw: ${(err as Error).message}`)
    }
  }
}

/** The client options among the settings (what Consumer, Producer and Admin take). */
function clientPart(settings: ResolvedRunnerSettings): ClientOptions {
  const client: Record<string, unknown> = { ...settings }
  for (const key of RUNNER_KEYS) delete client[key]
  return client as ClientOptions
}

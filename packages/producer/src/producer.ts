import { Cluster } from '@tributary/client'
import { KafkaError, compressionReady } from '@tributary/protocol'
import { Accumulator } from './accumulator.js'
import { BatchDelivery, SingleDelivery } from './delivery.js'
import { RecordDispatcher } from './dispatcher.js'
import { FatalProducerError, ProducerStateError } from './errors.js'
import { ProducerIdentity } from './idempotence/producer-identity.js'
import { InterceptorChain } from './interceptors.js'
import { parseProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.js'
import { createPartitioner } from './partitioners/resolve.js'
import type { ProducerKey, ProducerRecord, ProducerValue, RecordMetadata } from './record.js'
import { Sender } from './sender.js'
import type { ConsumerGroupMetadata, TransactionOffset } from './transactions/requests.js'
import { TransactionManager, type TransactionState } from './transactions/transaction-manager.js'

/** Options of {@link Producer.close}. */
export interface CloseOptions {
  /** How long to wait for accepted records to be delivered; what is left then fails. Default: until they are (each is bounded by `deliveryTimeoutMs`). */
  timeoutMs?: number
}

/**
 * A Kafka producer: partitions records (explicit partition, else murmur2 of the key as the Java client,
 * else sticky), batches them per partition (`lingerMs`, `batchSize`, `compression`), and sends each
 * broker's batches together, retrying what may be retried. Idempotent by default, so retries neither
 * duplicate nor reorder records; with a `transactionalId` it writes transactions.
 *
 * Every `send` resolves to the record's {@link RecordMetadata} or rejects with a `KafkaError`, within
 * `deliveryTimeoutMs` once accepted (plus up to `maxBlockMs` waiting for metadata or buffer memory).
 * The producer connects on first use; `close()` delivers what was accepted, then closes.
 *
 * @example
 * ```ts
 * const producer = new Producer({ bootstrapServers: 'localhost:9092', lingerMs: 5, compression: 'lz4' })
 * const meta = await producer.send({ topic: 'orders', key: 'c-1', value: JSON.stringify(order), headers: { source: 'web' } })
 * console.log(meta.partition, meta.offset)
 * await producer.close()
 * ```
 *
 * @example Transactions
 * ```ts
 * const producer = new Producer({ bootstrapServers, transactionalId: 'billing-1' })
 * await producer.initTransactions()
 * await producer.beginTransaction()
 * await producer.sendBatch(invoices.map((i) => ({ topic: 'invoices', key: i.id, value: JSON.stringify(i) })))
 * await producer.sendOffsetsToTransaction([{ topic: 'orders', partition: 0, offset: next }], consumer.groupMetadata())
 * await producer.commitTransaction()
 * ```
 */
export class Producer<K = ProducerKey, V = ProducerValue> {
  /** The options after validation, with every default. */
  readonly options: Readonly<ResolvedProducerOptions>
  private readonly cluster: Cluster
  private readonly accumulator: Accumulator
  private readonly sender: Sender
  private readonly dispatcher: RecordDispatcher
  private readonly interceptors: InterceptorChain<K, V>
  private readonly transactions: TransactionManager | undefined
  private fatalError: KafkaError | undefined
  private closing: Promise<void> | undefined
  private codecsLoading = false

  /** @throws OptionsError naming each invalid option, its value and what is allowed. */
  constructor(options: ProducerOptions<K, V>) {
    const o = parseProducerOptions(options)
    this.options = Object.freeze(o)
    this.cluster = new Cluster({ ...o, allowAutoTopicCreation: o.allowAutoCreateTopics, maxInFlightRequestsPerConnection: o.maxInFlightRequestsPerConnection })
    this.accumulator = new Accumulator(o)
    this.interceptors = new InterceptorChain<K, V>(o.interceptors, o.logger)
    if (this.interceptors.hasAcknowledgementHooks) this.accumulator.onAcknowledgement = (m, e) => this.interceptors.onAcknowledgement(m, e)
    const identity = o.enableIdempotence
      ? new ProducerIdentity(this.cluster, { transactionalId: o.transactionalId, transactionTimeoutMs: o.transactionTimeoutMs, timeoutMs: o.transactionalId ? o.maxBlockMs : o.deliveryTimeoutMs })
      : undefined
    if (o.transactionalId !== undefined) {
      this.transactions = new TransactionManager({
        cluster: this.cluster,
        identity: identity!,
        transactionalId: o.transactionalId,
        logger: o.logger,
        maxBlockMs: o.maxBlockMs,
        requestTimeoutMs: o.deliveryTimeoutMs,
        queues: () => this.accumulator.queues,
        flush: () => this.flushAccepted(),
        failPending: (error) => {
          this.dispatcher.failWaiting(error)
          this.sender.failQueued(error)
        },
        wakeSender: () => this.sender.wakeup(),
        onFatal: (error) => this.fail(error),
      })
    }
    this.sender = new Sender({
      cluster: this.cluster,
      accumulator: this.accumulator,
      options: o,
      logger: o.logger,
      identity,
      transactions: this.transactions,
      onFatal: (error) => (this.transactions ? this.transactions.fatal(error) : this.fail(error instanceof FatalProducerError ? error : new FatalProducerError('The idempotent producer failed', error))),
    })
    this.dispatcher = new RecordDispatcher({
      cluster: this.cluster,
      accumulator: this.accumulator,
      sender: this.sender,
      partitioner: createPartitioner(o.partitioner),
      interceptors: this.interceptors as InterceptorChain<unknown, unknown>,
      options: o,
      transactions: this.transactions,
    })
    this.interceptors.configure(this.options)
  }

  /**
   * The state of a transactional producer (`'uninitialized'`, `'ready'`, `'in-transaction'`,
   * `'abortable-error'`, `'fatal-error'`, …); undefined for a producer without `transactionalId`.
   */
  get transactionState(): TransactionState | undefined {
    return this.transactions?.state
  }

  /**
   * Connects now instead of on first use: loads the compression codecs and fetches cluster metadata,
   * so that an unreachable cluster shows up here.
   *
   * @example
   * ```ts
   * await producer.connect() // rejects with a ConnectionError when no bootstrap server answers
   * ```
   */
  async connect(): Promise<void> {
    this.checkOpen()
    this.loadCodecs()
    await compressionReady()
    await this.cluster.connect()
  }

  /**
   * Sends one record. Resolves once the broker acknowledged it (per `acks`) with where it was written;
   * rejects with a `KafkaError` when it cannot be delivered: a `DeliveryTimeoutError`, a non-retriable
   * broker error, a serialization error, `ProducerTimeoutError` (metadata or buffer memory not available
   * within `maxBlockMs`), or `ProducerStateError` (closed, or no open transaction on a transactional
   * producer).
   *
   * @example
   * ```ts
   * const { partition, offset } = await producer.send({ topic: 'orders', key: 'c-1', value: 'created' })
   * ```
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    const refused = this.refusal()
    if (refused) return Promise.reject(refused)
    this.loadCodecs()
    const sink = new SingleDelivery()
    this.dispatcher.dispatch(record as ProducerRecord<unknown, unknown>, sink, 0)
    return sink.promise
  }

  /**
   * Sends several records, as many `send` calls in a row. Resolves with their metadata in order once all
   * are acknowledged; if any fails, rejects (once all have settled) with a `SendBatchError` holding each
   * record's metadata or error.
   *
   * @example
   * ```ts
   * const metas = await producer.sendBatch(orders.map((o) => ({ topic: 'orders', key: o.customer, value: JSON.stringify(o) })))
   * ```
   */
  sendBatch(records: readonly ProducerRecord<K, V>[]): Promise<RecordMetadata[]> {
    const refused = this.refusal()
    if (refused) return Promise.reject(refused)
    this.loadCodecs()
    const sink = new BatchDelivery(records.length)
    for (let i = 0; i < records.length; i++) this.dispatcher.dispatch(records[i] as ProducerRecord<unknown, unknown>, sink, i)
    return sink.promise
  }

  /**
   * Sends everything accepted so far without waiting for `lingerMs`, and resolves once all of it has
   * completed (each record's own promise tells whether it succeeded).
   *
   * @example
   * ```ts
   * for (const r of records) void producer.send(r)
   * await producer.flush()
   * ```
   */
  async flush(): Promise<void> {
    await this.flushAccepted()
  }

  /** Obtains the producer id for a `transactionalId`, fencing older producers with it. Call once, first. */
  async initTransactions(): Promise<void> {
    this.checkOpen()
    this.loadCodecs()
    await this.txn('initTransactions').initTransactions()
  }

  /** Opens a transaction: records sent from now on are committed or aborted together. */
  async beginTransaction(): Promise<void> {
    this.checkOpen()
    this.txn('beginTransaction').beginTransaction()
  }

  /**
   * Adds consumed offsets to the open transaction (consume-transform-produce): they are committed to the
   * group only if the transaction commits. `group` is the consumer's group metadata (generation, member
   * id: the commit is fenced if the consumer was kicked out of the group, KIP-447), or just a group id.
   * Offsets are the next offsets to consume.
   *
   * @example
   * ```ts
   * await producer.sendOffsetsToTransaction([{ topic: 'orders', partition: 0, offset: lastProcessed + 1n }], consumer.groupMetadata())
   * ```
   */
  async sendOffsetsToTransaction(offsets: readonly TransactionOffset[], group: ConsumerGroupMetadata | string): Promise<void> {
    this.checkOpen()
    const metadata = typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group
    await this.txn('sendOffsetsToTransaction').sendOffsets(offsets, metadata)
  }

  /**
   * Delivers every record of the transaction, then commits it. Rejects with `AbortableTransactionError`
   * when part of it failed (call `abortTransaction()`), or `FatalProducerError` when the producer was
   * fenced.
   */
  async commitTransaction(): Promise<void> {
    this.checkOpen()
    await this.txn('commitTransaction').commit()
  }

  /** Aborts the open transaction: records not yet sent fail, those written are discarded by readers. */
  async abortTransaction(): Promise<void> {
    this.checkOpen()
    await this.txn('abortTransaction').abort()
  }

  /**
   * Stops accepting records, delivers those already accepted (waiting at most `timeoutMs`; what is left
   * then fails with code `CLIENT_CLOSED`), aborts an open transaction, closes the interceptors and the
   * connections. Safe to call more than once.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void producer.close({ timeoutMs: 10_000 }))
   * ```
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs)
    return this.closing
  }

  private async shutdown(timeoutMs: number | undefined): Promise<void> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs
    const txn = this.transactions
    const work = (async () => {
      if (txn && (txn.state === 'in-transaction' || txn.state === 'abortable-error')) {
        await txn.abort().catch((err: unknown) => this.options.logger.warn(`Aborting the open transaction on close failed: ${(err as Error).message}`))
      }
      await this.flushAccepted()
    })()
    await withTimeout(work, deadline)
    const leftover = new KafkaError('The producer was closed before this record was delivered (it may or may not have been written)', { code: 'CLIENT_CLOSED' })
    this.dispatcher.failWaiting(leftover)
    this.accumulator.memory.rejectAll(leftover)
    this.accumulator.failIncomplete(leftover)
    this.sender.close()
    this.cluster.close()
    await this.interceptors.close()
  }

  private async flushAccepted(): Promise<void> {
    this.sender.wakeup()
    await this.dispatcher.idle()
    const flushed = this.accumulator.flush()
    this.sender.wakeup()
    await flushed
  }

  private loadCodecs(): void {
    if (this.codecsLoading || this.options.compression !== 'zstd') return
    this.codecsLoading = true
    this.dispatcher.holdUntil(compressionReady())
  }

  /** The producer became unusable: fail everything waiting, refuse everything new. Returns the error it fails with. */
  private fail(error: KafkaError): KafkaError {
    if (this.fatalError !== undefined) return this.fatalError
    this.fatalError = error
    this.options.logger.error(error.message)
    this.dispatcher.failWaiting(error)
    this.sender.failQueued(error)
    return error
  }

  private refusal(): KafkaError | undefined {
    if (this.closing) return new ProducerStateError('Cannot send: the producer is closed')
    if (this.fatalError) return this.fatalError
    if (this.transactions) {
      try {
        this.transactions.checkSendAllowed()
      } catch (err) {
        return err as KafkaError
      }
    }
    return undefined
  }

  private checkOpen(): void {
    if (this.closing) throw new ProducerStateError('The producer is closed')
    if (this.fatalError) throw this.fatalError
  }

  private txn(call: string): TransactionManager {
    if (!this.transactions) throw new ProducerStateError(`Cannot ${call}: this producer has no transactionalId`)
    return this.transactions
  }
}

/** Waits for `work`, or until `deadline` (ms since the epoch) when given. */
async function withTimeout(work: Promise<void>, deadline: number | undefined): Promise<void> {
  if (deadline === undefined) return work
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))
  })
  try {
    await Promise.race([work.catch(() => undefined), timeout])
  } finally {
    clearTimeout(timer)
  }
}

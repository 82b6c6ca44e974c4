import { TRANSACTION_STATE_TOPIC } from '../groups/internal-topics.js'
import type { LogManager } from '../log/log-manager.js'
import { defaultBrokerLogger, type BrokerLogger } from '../logger.js'
import type { ProducerStateManager } from '../producers/manager.js'
import { describeTransaction, listTransactions, type ListTransactionsFilter, type TransactionDescription, type TransactionListing } from './admin.js'
import { completeTransaction } from './completion.js'
import { DEFAULT_TRANSACTION_CONFIG, type TransactionConfig } from './config.js'
import { endTxn } from './end-txn.js'
import { initProducerId, type InitProducerIdParams, type InitProducerIdResult } from './init-producer-id.js'
import { abortTimedOutTransactions, expireTransactionalIds } from './maintenance.js'
import type { TopicPartition } from './metadata.js'
import { addOffsets, addPartitions, checkTxnOffsetCommit, verifyPartitions, verifyTransactionalWrite, type PartitionResult, type TxnProducer } from './partitions.js'
import { ProducerIdAllocator } from './producer-ids.js'
import { TxnRuntime, type GroupOffsetsPort, type TxnResult } from './runtime.js'
import { TransactionLog } from './txn-log.js'
import { writeRequestedMarkers, type MarkerRequest } from './write-markers.js'

/** How to open a {@link TransactionCoordinator}. */
export interface TransactionCoordinatorOptions {
  /** The broker's storage: `__transaction_state` and the partitions markers go to. */
  logs: LogManager
  /** Per-partition producer state: markers are appended through it, and it asks us about transactional batches. */
  producers: ProducerStateManager
  /** The group coordinator, for `__consumer_offsets` partitions and transactional offsets. */
  groups: GroupOffsetsPort
  /** Settings; Kafka's defaults where omitted. */
  config?: Partial<TransactionConfig>
  logger?: BrokerLogger
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number
}

/**
 * The transaction coordinator: producer ids and epochs (InitProducerId), transactions
 * (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, the transaction side of TxnOffsetCommit), their
 * markers, timeouts, and DescribeTransactions / ListTransactions. Its state lives in the compacted
 * `__transaction_state` topic and is reloaded when the broker starts: transactions that were being
 * committed or aborted are completed then, open ones abort when their timeout passes.
 *
 * Every partition is local, so markers are appended synchronously: when EndTxn answers, the
 * markers are in the logs and read_committed consumers see the outcome.
 *
 * Methods answer with Kafka error names (`'NONE'` for success) rather than throwing for anything a
 * client sends; PRODUCER_FENCED is translated to INVALID_PRODUCER_EPOCH by the handlers of versions
 * that predate it.
 *
 * @example
 * ```ts
 * const txns = TransactionCoordinator.open({ logs, producers, groups })
 * const { producerId, producerEpoch } = txns.initProducerId({ transactionalId: 'app-1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
 * txns.addPartitions({ transactionalId: 'app-1', producerId, producerEpoch }, [{ topic: 'orders', partition: 0 }])
 * txns.endTxn({ transactionalId: 'app-1', producerId, producerEpoch }, true)
 * txns.close()
 * ```
 */
export class TransactionCoordinator {
  private readonly rt: TxnRuntime
  private readonly timers: NodeJS.Timeout[] = []

  private constructor(o: TransactionCoordinatorOptions) {
    const config = { ...DEFAULT_TRANSACTION_CONFIG, ...o.config }
    const logger = o.logger ?? defaultBrokerLogger
    const clock = o.clock ?? Date.now
    const store = new TransactionLog(o.logs, () => o.groups.ensureTransactionStateTopic(), clock)
    const loaded = store.load(logger)
    const ids = new ProducerIdAllocator(loaded.reservedUpTo, (upTo) => store.writeProducerIdBlock(upTo))
    this.rt = new TxnRuntime(o.logs, store, ids, o.producers, o.groups, config, logger, clock)
    for (const meta of loaded.transactions.values()) {
      ids.skipPast(meta.producerId)
      ids.skipPast(meta.previousProducerId)
      if (meta.state !== 'Dead') this.rt.install(meta)
    }
    o.producers.setTransactionVerifier((producerId, epoch, topic, partition) => verifyTransactionalWrite(this.rt, producerId, epoch, topic, partition))
    let prepared = 0
    for (const meta of this.rt.transactions.values()) {
      if (meta.state !== 'PrepareCommit' && meta.state !== 'PrepareAbort') continue
      prepared++
      this.rt.pendingMarkers.set(meta.transactionalId, [...meta.partitions])
      completeTransaction(this.rt, meta.transactionalId)
    }
    if (loaded.records > 0) {
      logger.info(`transaction coordinator: loaded ${this.rt.transactions.size} transactional id(s) from ${loaded.records} record(s) of ${TRANSACTION_STATE_TOPIC}, completing ${prepared} prepared transaction(s)`)
    }
    this.every(config.abortTimedOutIntervalMs, () => abortTimedOutTransactions(this.rt))
    this.every(config.removeExpiredIntervalMs, () => expireTransactionalIds(this.rt))
  }

  /**
   * Starts the coordinator: reads `__transaction_state` back (when it exists), completes prepared
   * transactions, and starts the timeout and expiration tasks (timers unref'd).
   */
  static open(options: TransactionCoordinatorOptions): TransactionCoordinator {
    return new TransactionCoordinator(options)
  }

  /** The settings in effect. */
  get config(): Readonly<TransactionConfig> {
    return this.rt.config
  }

  /** InitProducerId (see `initProducerId` for the rules). */
  initProducerId(params: InitProducerIdParams): InitProducerIdResult {
    return initProducerId(this.rt, params)
  }

  /** AddPartitionsToTxn for one transaction. */
  addPartitions(producer: TxnProducer, partitions: readonly TopicPartition[]): PartitionResult[] {
    return addPartitions(this.rt, producer, partitions)
  }

  /** AddPartitionsToTxn v4+ `verifyOnly`: which partitions are in the open transaction. */
  verifyPartitions(producer: TxnProducer, partitions: readonly TopicPartition[]): PartitionResult[] {
    return verifyPartitions(this.rt, producer, partitions)
  }

  /** AddOffsetsToTxn. */
  addOffsets(producer: TxnProducer, groupId: string): TxnResult {
    return addOffsets(this.rt, producer, groupId)
  }

  /** Whether TxnOffsetCommit may stage offsets for this producer and group. */
  checkTxnOffsetCommit(producer: TxnProducer, groupId: string): TxnResult {
    return checkTxnOffsetCommit(this.rt, producer, groupId)
  }

  /** EndTxn. */
  endTxn(producer: TxnProducer, commit: boolean): TxnResult {
    return endTxn(this.rt, producer, commit)
  }

  /** WriteTxnMarkers: appends one requested marker to its partitions (see `writeRequestedMarkers`). */
  writeMarkers(marker: MarkerRequest): PartitionResult[] {
    return writeRequestedMarkers(this.rt, marker)
  }

  /** DescribeTransactions for one transactional id. */
  describe(transactionalId: string): TransactionDescription {
    return describeTransaction(this.rt, transactionalId)
  }

  /** ListTransactions. */
  list(filter: ListTransactionsFilter): { error: TxnResult; unknownStates: string[]; transactions: TransactionListing[] } {
    return listTransactions(this.rt, filter)
  }

  /** Aborts timed-out transactions now, as of `now` (the timer does it periodically); returns how many. */
  abortTimedOutTransactions(now?: number): number {
    return this.rt.active ? abortTimedOutTransactions(this.rt, now) : 0
  }

  /** Removes expired transactional ids now, as of `now` (the timer does it periodically); returns how many. */
  expireTransactionalIds(now?: number): number {
    return this.rt.active ? expireTransactionalIds(this.rt, now) : 0
  }

  /**
   * Stops the timers; later requests answer COORDINATOR_NOT_AVAILABLE. Persisted state is already
   * in `__transaction_state`; transactions still completing finish at the next start. Idempotent.
   */
  close(): void {
    if (!this.rt.active) return
    this.rt.active = false
    for (const t of this.timers) clearInterval(t)
  }

  private every(intervalMs: number, task: () => void): void {
    if (intervalMs <= 0) return
    const timer = setInterval(() => {
      try {
        task()
      } catch (err) {
        this.rt.logger.error('transaction coordinator: a periodic task failed', err)
      }
    }, intervalMs)
    timer.unref()
    this.timers.push(timer)
  }
}

import type { Cluster, Logger } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'
import { AbortableTransactionError, FatalProducerError, ProducerStateError } from '../errors.js'
import type { ProducerIdentity } from '../idempotence/producer-identity.js'
import { FATAL_PRODUCER_CODES, type TransactionGate } from '../internal/outcomes.js'
import type { PartitionQueue } from '../internal/partition-queue.js'
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, txnOffsetCommit, type ConsumerGroupMetadata, type TransactionOffset, type TxnRequestContext } from './requests.js'

/**
 * Where a transactional producer stands:
 * `uninitialized` → (initTransactions) → `ready` → (beginTransaction) → `in-transaction` →
 * (commitTransaction: `committing`) or (abortTransaction: `aborting`) → `ready`.
 * `abortable-error`: part of the open transaction failed; only abortTransaction helps.
 * `fatal-error`: fenced or otherwise unusable; close the producer.
 */
export type TransactionState = 'uninitialized' | 'initializing' | 'ready' | 'in-transaction' | 'committing' | 'aborting' | 'abortable-error' | 'fatal-error'

/** What the transaction manager needs from the producer. */
export interface TransactionManagerContext {
  cluster: Cluster
  identity: ProducerIdentity
  transactionalId: string
  logger: Logger
  /** Bounds initTransactions and the offset calls (Kafka's `max.block.ms`). */
  maxBlockMs: number
  /** Bounds AddPartitionsToTxn and EndTxn retries. */
  requestTimeoutMs: number
  /** Every partition queue, to reset sequence numbers after an epoch bump. */
  queues(): readonly PartitionQueue[]
  /** Resolves once every batch accepted so far has completed. */
  flush(): Promise<void>
  /** Fails every queued (unsent) batch and waiting send with `error`. */
  failPending(error: KafkaError): void
  /** Wakes the sender (partitions were added). */
  wakeSender(): void
  /** The producer became unusable. */
  onFatal(error: FatalProducerError): unknown
}

/**
 * The transactional producer's state machine and its exchanges with the transaction and group
 * coordinators: InitProducerId (which fences older producers with the same `transactionalId`),
 * AddPartitionsToTxn for each partition before its first batch of a transaction (partitions first used
 * in the same turn of the event loop, or while a request is under way, go in one request),
 * AddOffsetsToTxn + TxnOffsetCommit, and EndTxn.
 */
export class TransactionManager implements TransactionGate {
  state: TransactionState = 'uninitialized'
  abortableError: KafkaError | undefined
  fatalError: FatalProducerError | undefined
  /** The open transaction's number; partitions remember the one they were added to. */
  private generation = 0
  /** Whether the coordinator knows of the open transaction (partitions or offsets were added). */
  private started = false
  private toAdd: PartitionQueue[] = []
  private adding: Promise<void> | undefined
  private addScheduled = false
  private readonly requests: TxnRequestContext

  constructor(private readonly c: TransactionManagerContext) {
    this.requests = { cluster: c.cluster, transactionalId: c.transactionalId, identity: c.identity, timeoutMs: c.requestTimeoutMs }
  }

  get transactionalId(): string {
    return this.c.transactionalId
  }

  /** The open transaction's number (0 before the first). */
  get current(): number {
    return this.generation
  }

  /** Obtains the producer id and epoch, fencing older producers with this transactionalId and completing their open transaction. */
  async initTransactions(): Promise<void> {
    if (this.state !== 'uninitialized') this.refuse('initTransactions', 'the producer is already initialized')
    this.state = 'initializing'
    try {
      await this.c.identity.acquire(false)
    } catch (err) {
      this.state = 'uninitialized'
      throw this.classify(err, 'initTransactions failed')
    }
    for (const q of this.c.queues()) q.sequences.reset()
    this.state = 'ready'
  }

  beginTransaction(): void {
    if (this.state !== 'ready') this.refuse('beginTransaction', this.state === 'uninitialized' ? 'call initTransactions() first' : 'a transaction is already open')
    this.generation++
    this.started = false
    this.abortableError = undefined
    this.state = 'in-transaction'
  }

  /** Throws unless records may be sent now (an open transaction without errors). */
  checkSendAllowed(): void {
    if (this.state === 'in-transaction') return
    if (this.state === 'abortable-error') throw new AbortableTransactionError('Cannot send: the transaction failed', this.abortableError!)
    if (this.state === 'fatal-error') throw this.fatalError!
    if (this.state === 'uninitialized' || this.state === 'initializing') throw new ProducerStateError('Cannot send: this producer is transactional; call initTransactions() and beginTransaction() first')
    throw new ProducerStateError(`Cannot send: this producer is transactional and no transaction is open (${this.state}); call beginTransaction() first`)
  }

  /** Makes sure the partition joins the open transaction before its batches are sent. */
  ensurePartition(q: PartitionQueue): void {
    if (q.txnRequested === this.generation) return
    q.txnRequested = this.generation
    this.toAdd.push(q)
    if (this.adding === undefined && !this.addScheduled) {
      this.addScheduled = true
      setImmediate(() => {
        this.addScheduled = false
        this.adding ??= this.addPartitions()
      })
    }
  }

  isPartitionAdded(q: PartitionQueue): boolean {
    return q.txnAdded === this.generation
  }

  batchFailed(error: KafkaError): void {
    if (FATAL_PRODUCER_CODES.has(error.code)) this.fatal(error)
    else this.abortable(error)
  }

  async sendOffsets(offsets: readonly TransactionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.checkSendAllowed()
    const generation = this.generation
    try {
      await addOffsetsToTxn(this.requests, group.groupId)
      this.started = true
      await txnOffsetCommit({ ...this.requests, timeoutMs: this.c.maxBlockMs }, group, offsets)
    } catch (err) {
      const error = this.classify(err, 'sendOffsetsToTransaction failed')
      if (error instanceof AbortableTransactionError && this.generation === generation) this.abortable(error.cause as KafkaError)
      throw error
    }
  }

  async commit(): Promise<void> {
    if (this.state !== 'in-transaction') this.checkEndAllowed('commitTransaction')
    this.state = 'committing'
    await this.c.flush()
    await this.settleAdds()
    if (this.abortableError !== undefined) {
      this.state = 'abortable-error'
      throw new AbortableTransactionError('Cannot commit: part of the transaction failed', this.abortableError)
    }
    try {
      if (this.started) await endTxn(this.requests, true)
    } catch (err) {
      const error = this.classify(err, 'commitTransaction failed')
      if (error instanceof AbortableTransactionError) this.abortable(error.cause as KafkaError)
      throw error
    }
    this.state = 'ready'
  }

  async abort(): Promise<void> {
    if (this.state !== 'in-transaction' && this.state !== 'abortable-error') this.checkEndAllowed('abortTransaction')
    this.state = 'aborting'
    this.c.failPending(new KafkaError(`The transaction of transactionalId "${this.c.transactionalId}" was aborted before this record was sent`, { code: 'TRANSACTION_ABORTED' }))
    await this.c.flush()
    await this.settleAdds()
    try {
      if (this.started) await endTxn(this.requests, false)
      if (this.c.queues().some((q) => q.sequences.unresolved)) {
        this.c.logger.info(`Bumping the epoch of transactionalId "${this.c.transactionalId}" after a sequence gap`)
        await this.c.identity.acquire(true)
        for (const q of this.c.queues()) q.sequences.reset()
      }
    } catch (err) {
      const error = this.classify(err, 'abortTransaction failed')
      if (error instanceof FatalProducerError) throw error
      this.state = 'abortable-error'
      throw error
    }
    this.abortableError = undefined
    this.state = 'ready'
  }

  /** Makes the producer unusable with `cause`. */
  fatal(cause: KafkaError): FatalProducerError {
    if (this.fatalError === undefined) {
      this.fatalError = cause instanceof FatalProducerError ? cause : new FatalProducerError(`Transactional producer "${this.c.transactionalId}" failed`, cause)
      this.state = 'fatal-error'
      this.c.identity.clear()
      this.c.onFatal(this.fatalError)
    }
    return this.fatalError
  }

  private abortable(cause: KafkaError): void {
    if (this.state === 'fatal-error') return
    this.abortableError ??= cause
    if (this.state === 'in-transaction') this.state = 'abortable-error'
    this.c.wakeSender()
  }

  /** A thrown value as a fatal error (fencing, authorization, unsupported) or an abortable one. */
  private classify(err: unknown, what: string): KafkaError {
    if (err instanceof FatalProducerError) return err
    const error = err instanceof KafkaError ? err : new KafkaError(`${what}: ${String(err)}`, { code: 'UNKNOWN_CLIENT_ERROR', cause: err })
    if (FATAL_PRODUCER_CODES.has(error.code) || error.code === 'INVALID_TXN_STATE' || error.code === 'INVALID_TRANSACTION_TIMEOUT') return this.fatal(error)
    if (this.state === 'initializing' || this.state === 'uninitialized') return error
    return new AbortableTransactionError(what, error)
  }

  private checkEndAllowed(call: string): never {
    if (this.state === 'fatal-error') throw this.fatalError!
    if (this.state === 'abortable-error') throw new AbortableTransactionError(`Cannot ${call === 'commitTransaction' ? 'commit' : 'end'}: the transaction failed`, this.abortableError!)
    this.refuse(call, this.state === 'ready' ? 'no transaction is open; call beginTransaction() first' : `the producer is ${this.state}`)
  }

  private refuse(call: string, why: string): never {
    if (this.state === 'fatal-error') throw this.fatalError!
    throw new ProducerStateError(`Cannot ${call}: ${why}`)
  }

  private async addPartitions(): Promise<void> {
    while (this.toAdd.length > 0 && (this.state === 'in-transaction' || this.state === 'committing')) {
      const generation = this.generation
      const queues = this.toAdd.splice(0)
      try {
        await addPartitionsToTxn(this.requests, queues)
        if (this.generation !== generation) continue
        this.started = true
        for (const q of queues) q.txnAdded = generation
        this.c.wakeSender()
      } catch (err) {
        if (this.generation !== generation) continue
        const error = this.classify(err, 'AddPartitionsToTxn failed')
        if (error instanceof AbortableTransactionError) this.abortable(error.cause as KafkaError)
      }
    }
    this.toAdd = []
    this.adding = undefined
  }

  /** Waits for AddPartitionsToTxn under way to finish. */
  private async settleAdds(): Promise<void> {
    while (this.adding !== undefined) await this.adding
  }
}

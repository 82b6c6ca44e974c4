import { backoffDelay, type Cluster, type Logger } from '@tributary/client'
import { ErrorCode, KafkaError, errorForCode, type ProduceResponsePartitionProduceResponse } from '@tributary/protocol'
import type { Accumulator } from '../accumulator.js'
import { DeliveryTimeoutError, RecordTooLargeError } from '../errors.js'
import { sequenceErrorVerdict } from '../idempotence/sequence-state.js'
import type { ResolvedProducerOptions } from '../options.js'
import type { ProducerBatch } from './batch.js'
import type { PartitionQueue } from './partition-queue.js'

/** Error codes after which an idempotent or transactional producer cannot go on. */
export const FATAL_PRODUCER_CODES: ReadonlySet<string> = new Set([
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_PRODUCER_ID_MAPPING',
  'UNSUPPORTED_VERSION',
])

/** Codes after which the partition's leader may have moved. */
const LEADERSHIP_CODES: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'REQUEST_TIMED_OUT',
  'CONNECTION_ERROR',
  'NETWORK_EXCEPTION',
])

/** What the transaction manager needs to hear from the sender, and what the sender asks it. */
export interface TransactionGate {
  readonly transactionalId: string
  /** Whether the partition was added to the open transaction (AddPartitionsToTxn), so its batches may be sent. */
  isPartitionAdded(q: PartitionQueue): boolean
  /** The error that made the open transaction abortable, if one did. */
  readonly abortableError: KafkaError | undefined
  /** A batch of the transaction failed: the transaction can only be aborted now. */
  batchFailed(error: KafkaError): void
}

/** What {@link BatchOutcomes} works with. */
export interface OutcomeContext {
  accumulator: Accumulator
  cluster: Cluster
  options: ResolvedProducerOptions
  logger: Logger
  transactions: TransactionGate | undefined
  /** Whether batches carry sequence numbers (idempotence can be turned off at run time; see the sender). */
  idempotent(): boolean
  /** The producer cannot go on: fail everything; returns the error the producer now fails with. */
  onFatal(error: KafkaError): KafkaError
  /** Leadership may have moved: refresh metadata soon. */
  metadataWanted(): void
}

/**
 * Decides what happens to a batch after each send: success, a retry (back in its partition's queue in
 * its original order, after a backoff), a split (MESSAGE_TOO_LARGE for several records: see
 * {@link BatchOutcomes.refused}), or failure — and keeps the partition's sequence state right for
 * idempotent producers (see `idempotence/sequence-state.ts`).
 */
export class BatchOutcomes {
  constructor(private readonly c: OutcomeContext) {}

  /** The broker answered the batch's partition. */
  answered(batch: ProducerBatch, result: ProduceResponsePartitionProduceResponse, now: number): void {
    const code = result.errorCode
    if (code === ErrorCode.NONE || (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && batch.baseSequence >= 0)) {
      this.succeeded(batch, result.baseOffset, result.logAppendTimeMs)
      return
    }
    const detail = `${batch.topic}-${batch.partition}${result.errorMessage ? `: ${result.errorMessage}` : ''}`
    this.refused(batch, errorForCode(code, detail)!, now)
  }

  /** The batch was written (acknowledged, or sent with acks=0). */
  succeeded(batch: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    if (batch.baseSequence >= 0) batch.queue.sequences.acknowledged(batch.baseSequence, batch.lastSequence)
    this.c.accumulator.succeed(batch, baseOffset, logAppendTime)
  }

  /**
   * The broker refused the batch with an error code: it was not appended.
   *
   * MESSAGE_TOO_LARGE (the batch is over the topic's `max.message.bytes`, which the producer cannot
   * know) splits a batch of several records, as the Java client does: into its two halves (by bytes),
   * or into batches of `batchSize` if it is larger than that. The parts go back in front of the
   * partition's later batches, in order, and are sent again right away (the split is not a retry:
   * neither `retries` nor the backoff applies; `deliveryTimeoutMs` still does). Parts refused again are
   * split again, until a single record is refused: that record fails with a {@link RecordTooLargeError}.
   */
  refused(batch: ProducerBatch, error: KafkaError, now: number): void {
    batch.lastError = error
    const idempotent = batch.baseSequence >= 0
    if (idempotent && FATAL_PRODUCER_CODES.has(error.code)) {
      this.giveUp(batch, this.c.onFatal(error))
      return
    }
    if (error.code === 'MESSAGE_TOO_LARGE') {
      if (batch.count > 1) this.split(batch)
      else {
        const bytes = batch.encoded?.length ?? batch.sizeBytes
        this.giveUp(batch, new RecordTooLargeError(`A record of ${batch.topic}-${batch.partition} is too large for the broker: a batch of it alone is ${bytes} bytes; ${error.message}`, error))
      }
      return
    }
    if (idempotent && (error.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || error.code === 'UNKNOWN_PRODUCER_ID')) {
      const q = batch.queue
      if (q.sequences.isAcknowledged(batch.lastSequence)) {
        // Later sequences were accepted before it: it can no longer be written in order.
        const detail = `the broker acknowledged later records of ${batch.topic}-${batch.partition} first, so this batch (sequences ${batch.baseSequence}-${batch.lastSequence}) was not written`
        this.giveUp(batch, new KafkaError(`${error.message}; ${detail}`, { code: error.code, cause: error }))
        return
      }
      if (sequenceErrorVerdict(q.sequences, batch.baseSequence) === 'retry') {
        this.retry(batch, error, now)
        return
      }
      if (this.c.transactions !== undefined) {
        this.giveUp(batch, error)
        return
      }
      // Not appended, and the sequences must start again: wait, without a sequence, for the epoch bump.
      q.sequences.unresolved = true
      if (now >= batch.deadline) {
        this.giveUp(batch, new DeliveryTimeoutError(`A batch of ${batch.count} record(s) for ${batch.topic}-${batch.partition}`, this.c.options.deliveryTimeoutMs, error))
        return
      }
      this.c.logger.info(`${error.code} for ${batch.topic}-${batch.partition} at sequence ${batch.baseSequence}: resetting the producer's sequences`)
      q.sequences.drop(batch)
      batch.setProducerState(-1n, -1, -1, false)
      q.requeue(batch)
      return
    }
    if (error.retriable) this.retry(batch, error, now)
    else this.giveUp(batch, error)
  }

  /** The request carrying the batch failed (timeout, lost connection): whether it was appended is unknown. */
  unanswered(batch: ProducerBatch, error: unknown, now: number): void {
    const e = error instanceof KafkaError ? error : new KafkaError(`Sending a batch failed: ${error instanceof Error ? error.message : String(error)}`, { code: 'UNKNOWN_CLIENT_ERROR', cause: error })
    batch.lastError = e
    if (e.retriable) this.retry(batch, e, now)
    else this.giveUp(batch, e)
  }

  /** A queued batch passed its delivery deadline. */
  expired(batch: ProducerBatch): void {
    this.giveUp(batch, new DeliveryTimeoutError(`A batch of ${batch.count} record(s) for ${batch.topic}-${batch.partition}`, this.c.options.deliveryTimeoutMs, batch.lastError))
  }

  /** Fails the batch for good. A batch holding sequence numbers leaves its partition's sequences unresolved. */
  giveUp(batch: ProducerBatch, error: KafkaError): void {
    if (batch.done) return
    if (batch.baseSequence >= 0 && this.c.idempotent()) batch.queue.sequences.unresolved = true
    if (this.c.transactions !== undefined) this.c.transactions.batchFailed(error)
    this.c.accumulator.fail(batch, error)
  }

  /** Splits a batch refused as too large and queues its parts in its place (see {@link refused}). */
  private split(batch: ProducerBatch): void {
    const parts = batch.split(this.c.options.batchSize)
    this.c.logger.warn(
      `A batch of ${batch.count} records (${batch.encoded?.length ?? batch.sizeBytes} bytes) for ${batch.topic}-${batch.partition} is too large for the broker (MESSAGE_TOO_LARGE); splitting it into ${parts.length} batches and sending them again`,
      { sequence: batch.baseSequence },
    )
    this.c.accumulator.replaceSplit(batch, parts)
  }

  private retry(batch: ProducerBatch, error: KafkaError, now: number): void {
    if (batch.done) return
    if (LEADERSHIP_CODES.has(error.code)) {
      this.c.cluster.handleError(error)
      this.c.metadataWanted()
    }
    const o = this.c.options
    if (now >= batch.deadline) {
      this.giveUp(batch, new DeliveryTimeoutError(`A batch of ${batch.count} record(s) for ${batch.topic}-${batch.partition}`, o.deliveryTimeoutMs, error))
      return
    }
    if (batch.attempts > o.retries) {
      this.giveUp(batch, error)
      return
    }
    batch.retryAt = now + backoffDelay(batch.attempts - 1, { initialMs: o.retryBackoffMs, maxMs: o.retryBackoffMaxMs })
    this.c.logger.debug(`Retrying a batch for ${batch.topic}-${batch.partition} after ${error.code}`, { attempt: batch.attempts, sequence: batch.baseSequence })
    batch.queue.requeue(batch)
  }
}

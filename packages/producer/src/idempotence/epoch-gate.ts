import { UnsupportedVersionError, type Logger } from '@tributary/client'
import { KafkaError } from '@tributary/protocol'
import type { Accumulator } from '../accumulator.js'
import { FATAL_PRODUCER_CODES } from '../internal/outcomes.js'
import type { ResolvedProducerOptions } from '../options.js'
import type { ProducerIdentity } from './producer-identity.js'

/** What the gate works with. */
export interface EpochGateContext {
  accumulator: Accumulator
  identity: ProducerIdentity
  options: ResolvedProducerOptions
  logger: Logger
  transactional: boolean
  /** Runs the sender again. */
  wakeup(): void
  /** Runs the sender again after `retryBackoffMs`. */
  retryLater(): void
  /** The broker cannot do idempotence and it was not asked for explicitly: send without it. */
  fallBack(): void
  onFatal(error: KafkaError): KafkaError
}

/** InitProducerId failures after which a producer that did not ask for idempotence sends without it (KIP-679). */
const FALLBACK_CODES = new Set(['UNSUPPORTED_VERSION', 'CLUSTER_AUTHORIZATION_FAILED'])

/**
 * Decides, before each sender run of an idempotent producer, whether batches may be drained: not
 * until a producer id is known (it asks for one when there is something to send), and not while an
 * epoch bump is due and batches still hold sequence numbers of the old epoch (those may still be sent,
 * to learn their fate; see `sequence-state.ts`). Partitions whose sequences were unresolved are checked
 * once nothing of theirs is outstanding: without a gap they carry on, with one the epoch is bumped.
 * A transactional producer bumps its epoch when it aborts instead.
 */
export class EpochGate {
  constructor(private readonly c: EpochGateContext) {}

  /** Whether batches may be drained now; false while a producer id or an epoch bump is on its way. */
  open(): boolean {
    const identity = this.c.identity
    if (identity.busy) return false
    if (!identity.hasId) {
      if (this.c.transactional || this.c.accumulator.incompleteBatches === 0) return false
      identity.acquire(false).then(() => this.c.wakeup(), (err: unknown) => this.failed(err))
      return false
    }
    for (const q of this.c.accumulator.queues) {
      if (!q.sequences.unresolved || q.inFlight > 0 || q.batches.some((b) => b.baseSequence >= 0)) continue
      if (q.sequences.settled) q.sequences.unresolved = false
      else identity.bumpNeeded = true
    }
    if (!identity.bumpNeeded || this.c.transactional || this.holdsSequences()) return true
    this.c.logger.info('Bumping the producer epoch to reset sequence numbers')
    identity.acquire(true).then(
      () => {
        for (const q of this.c.accumulator.queues) q.sequences.reset()
        this.c.wakeup()
      },
      (err: unknown) => this.failed(err),
    )
    return false
  }

  /** Whether any batch holding a sequence number is in flight or waiting to be retried. */
  private holdsSequences(): boolean {
    for (const q of this.c.accumulator.queues) {
      if (q.inFlight > 0) return true
      for (const b of q.batches) if (b.baseSequence >= 0) return true
    }
    return false
  }

  private failed(err: unknown): void {
    const error = err instanceof KafkaError ? err : new KafkaError(String(err), { code: 'UNKNOWN_CLIENT_ERROR', cause: err })
    if ((error instanceof UnsupportedVersionError || FALLBACK_CODES.has(error.code)) && !this.c.options.idempotenceRequired && !this.c.identity.hasId) {
      this.c.logger.warn(`The broker does not allow an idempotent producer here (${error.message}); sending without idempotence. Set enableIdempotence: false to silence this warning.`)
      this.c.fallBack()
      return
    }
    if (FATAL_PRODUCER_CODES.has(error.code) || !error.retriable) {
      this.c.onFatal(error)
      return
    }
    this.c.logger.warn(`Could not obtain a producer id: ${error.message}; trying again`)
    this.c.retryLater()
  }
}

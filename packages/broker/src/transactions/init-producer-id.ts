import { completeTransaction, endTransaction } from './completion.js'
import { NO_EPOCH, NO_PRODUCER_ID, isEpochExhausted, transition, type TransactionMetadata } from './metadata.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/** What InitProducerId asks. */
export interface InitProducerIdParams {
  transactionalId: string | null
  transactionTimeoutMs: number
  /** v3+: the producer's current id and epoch when it asks for an epoch bump (KIP-360); -1 otherwise. */
  producerId: bigint
  producerEpoch: number
}

/** What InitProducerId answers. `error` PRODUCER_FENCED is translated by the handler for old versions. */
export interface InitProducerIdResult {
  error: TxnResult
  producerId: bigint
  producerEpoch: number
}

const failed = (error: TxnResult): InitProducerIdResult => ({ error, producerId: NO_PRODUCER_ID, producerEpoch: NO_EPOCH })

/**
 * InitProducerId, as Kafka's transaction coordinator:
 *
 * - without a transactional id: a fresh producer id with epoch 0 (idempotent producers);
 * - with one: its metadata is found or created, and the epoch bumped, fencing any older producer
 *   of the id. An open transaction is aborted first with an epoch bump (its ABORT markers are
 *   written right away, since every partition is local), then the epoch is bumped again for the
 *   new producer — where Kafka answers CONCURRENT_TRANSACTIONS and lets the client retry, this
 *   broker answers at once with the final epoch. A transaction still completing answers
 *   CONCURRENT_TRANSACTIONS;
 * - with the producer's current id and epoch (KIP-360): the epoch is bumped when they match, a
 *   retry of a bump that succeeded gets the same answer, anything older is PRODUCER_FENCED;
 * - an exhausted epoch (32766) moves the transactional id to a new producer id at epoch 0.
 *
 * Errors: INVALID_REQUEST (empty transactional id), INVALID_TRANSACTION_TIMEOUT (not in
 * 1..`transaction.max.timeout.ms`), PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
 * COORDINATOR_NOT_AVAILABLE (the state could not be written).
 */
export function initProducerId(rt: TxnRuntime, p: InitProducerIdParams): InitProducerIdResult {
  if (!rt.active) return failed('COORDINATOR_NOT_AVAILABLE')
  if (p.transactionalId === null) {
    const producerId = allocate(rt)
    return producerId === undefined ? failed('COORDINATOR_NOT_AVAILABLE') : { error: 'NONE', producerId, producerEpoch: 0 }
  }
  if (p.transactionalId === '') return failed('INVALID_REQUEST')
  if (p.transactionTimeoutMs <= 0 || p.transactionTimeoutMs > rt.config.maxTimeoutMs) return failed('INVALID_TRANSACTION_TIMEOUT')
  let meta = rt.transactions.get(p.transactionalId)
  if (!meta) {
    const producerId = allocate(rt)
    if (producerId === undefined) return failed('COORDINATOR_NOT_AVAILABLE')
    meta = {
      transactionalId: p.transactionalId,
      producerId,
      previousProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_EPOCH,
      lastProducerEpoch: NO_EPOCH,
      timeoutMs: p.transactionTimeoutMs,
      state: 'Empty',
      partitions: [],
      startTimestamp: -1,
      lastUpdateTimestamp: rt.now(),
    }
  }
  const expected = p.producerId >= 0n ? { producerId: p.producerId, epoch: p.producerEpoch } : undefined
  if (rt.pendingMarkers.has(meta.transactionalId) && !completeTransaction(rt, meta.transactionalId)) return failed('CONCURRENT_TRANSACTIONS')
  meta = rt.transactions.get(p.transactionalId) ?? meta
  if (expected && !isValidProducerId(meta, expected.producerId, expected.epoch)) return failed('PRODUCER_FENCED')
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return failed('CONCURRENT_TRANSACTIONS')
  if (meta.state === 'Ongoing') {
    const aborted = endTransaction(rt, meta, false, true)
    if (aborted !== 'NONE') return failed(aborted)
    if (rt.pendingMarkers.has(meta.transactionalId)) return failed('CONCURRENT_TRANSACTIONS')
    rt.logger.info(`transaction coordinator: fenced producer ${meta.producerId} epoch ${meta.producerEpoch} of ${JSON.stringify(meta.transactionalId)} and aborted its open transaction`)
    meta = rt.transactions.get(p.transactionalId)!
  }
  return bumpEpoch(rt, meta, p.transactionTimeoutMs, expected?.epoch)
}

/**
 * Whether a KIP-360 request with this producer id may bump: the metadata was just created, the id
 * is the current one, or it is the previous one with an exhausted epoch (a retry after a rotation).
 */
function isValidProducerId(meta: TransactionMetadata, producerId: bigint, epoch: number): boolean {
  return meta.producerEpoch === NO_EPOCH || producerId === meta.producerId || (producerId === meta.previousProducerId && isEpochExhausted(epoch))
}

function bumpEpoch(rt: TxnRuntime, meta: TransactionMetadata, timeoutMs: number, expectedEpoch: number | undefined): InitProducerIdResult {
  const reset = { state: 'Empty' as const, timeoutMs, partitions: [], startTimestamp: -1, lastUpdateTimestamp: rt.now() }
  let next: TransactionMetadata
  if (isEpochExhausted(meta.producerEpoch) && (expectedEpoch === undefined || expectedEpoch === meta.producerEpoch)) {
    const producerId = allocate(rt)
    if (producerId === undefined) return failed('COORDINATOR_NOT_AVAILABLE')
    const lastProducerEpoch = expectedEpoch === undefined ? NO_EPOCH : meta.producerEpoch
    next = transition(meta, { ...reset, producerId, previousProducerId: meta.producerId, producerEpoch: 0, lastProducerEpoch })
  } else if (expectedEpoch === undefined) {
    next = transition(meta, { ...reset, producerEpoch: meta.producerEpoch + 1, lastProducerEpoch: NO_EPOCH })
  } else if (meta.producerEpoch === NO_EPOCH || expectedEpoch === meta.producerEpoch) {
    next = transition(meta, { ...reset, producerEpoch: meta.producerEpoch + 1, lastProducerEpoch: meta.producerEpoch })
  } else if (expectedEpoch === meta.lastProducerEpoch) {
    next = transition(meta, reset)
  } else {
    return failed('PRODUCER_FENCED')
  }
  const result = rt.persist(next)
  if (result !== 'NONE') return failed(result)
  rt.logger.info(`transaction coordinator: initialized ${JSON.stringify(next.transactionalId)} with producer ${next.producerId} epoch ${next.producerEpoch}`)
  return { error: 'NONE', producerId: next.producerId, producerEpoch: next.producerEpoch }
}

function allocate(rt: TxnRuntime): bigint | undefined {
  try {
    return rt.ids.allocate()
  } catch (err) {
    rt.logger.error('transaction coordinator: reserving producer ids in __transaction_state failed', err)
    return undefined
  }
}

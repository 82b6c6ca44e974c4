import { completeTransaction, endTransaction } from './completion.js'
import type { TxnProducer } from './partitions.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/**
 * EndTxn (transaction protocol version 1), as Kafka's coordinator:
 *
 * - Ongoing: commit or abort; the answer comes once the markers are written (or, should a marker
 *   write fail, once the decision is persisted: the rest is retried in the background);
 * - a retry of an EndTxn that already completed (CompleteCommit + commit, CompleteAbort + abort): NONE;
 * - the same decision still completing: CONCURRENT_TRANSACTIONS;
 * - anything else (Empty, the opposite decision): INVALID_TXN_STATE.
 *
 * Errors of the producer: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (the handler translates it
 * for old versions), COORDINATOR_NOT_AVAILABLE.
 */
export function endTxn(rt: TxnRuntime, p: TxnProducer, commit: boolean): TxnResult {
  if (!rt.active) return 'COORDINATOR_NOT_AVAILABLE'
  if (p.transactionalId === '') return 'INVALID_REQUEST'
  let meta = rt.transactions.get(p.transactionalId)
  if (!meta || meta.producerId !== p.producerId) return 'INVALID_PRODUCER_ID_MAPPING'
  if (meta.producerEpoch !== p.producerEpoch) return 'PRODUCER_FENCED'
  if (rt.pendingMarkers.has(p.transactionalId)) completeTransaction(rt, p.transactionalId)
  meta = rt.transactions.get(p.transactionalId)!
  switch (meta.state) {
    case 'Ongoing':
      return endTransaction(rt, meta, commit, false)
    case 'CompleteCommit':
      return commit ? 'NONE' : 'INVALID_TXN_STATE'
    case 'CompleteAbort':
      return commit ? 'INVALID_TXN_STATE' : 'NONE'
    case 'PrepareCommit':
      return commit ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE'
    case 'PrepareAbort':
      return commit ? 'INVALID_TXN_STATE' : 'CONCURRENT_TRANSACTIONS'
    default:
      return 'INVALID_TXN_STATE'
  }
}

import { endTransaction, retryPendingCompletions } from './completion.js'
import { isExpirable } from './metadata.js'
import type { TxnRuntime } from './runtime.js'

/**
 * Aborts every Ongoing transaction open longer than its timeout, with an epoch bump that fences
 * its producer (Kafka's `transaction.abort.timed.out.transaction.cleanup.interval.ms` task), after
 * retrying completions that are still pending. Returns how many were aborted.
 */
export function abortTimedOutTransactions(rt: TxnRuntime, now = rt.now()): number {
  retryPendingCompletions(rt)
  let aborted = 0
  for (const meta of [...rt.transactions.values()]) {
    if (meta.state !== 'Ongoing' || meta.startTimestamp + meta.timeoutMs > now) continue
    rt.logger.info(
      `transaction coordinator: the transaction of ${JSON.stringify(meta.transactionalId)} (producer ${meta.producerId}, epoch ${meta.producerEpoch}) exceeded its ${meta.timeoutMs} ms timeout; aborting it`,
    )
    if (endTransaction(rt, meta, false, true) === 'NONE') aborted++
  }
  return aborted
}

/**
 * Removes transactional ids with no transaction in progress whose last activity is older than
 * `transactional.id.expiration.ms` (a tombstone in `__transaction_state`). Returns how many.
 */
export function expireTransactionalIds(rt: TxnRuntime, now = rt.now()): number {
  let expired = 0
  for (const meta of [...rt.transactions.values()]) {
    if (!isExpirable(meta.state) || rt.pendingMarkers.has(meta.transactionalId)) continue
    if (meta.lastUpdateTimestamp + rt.config.transactionalIdExpirationMs > now) continue
    try {
      rt.store.removeTransaction(meta.transactionalId)
    } catch (err) {
      rt.logger.error(`transaction coordinator: removing the expired transactional id ${JSON.stringify(meta.transactionalId)} failed`, err)
      continue
    }
    rt.uninstall(meta.transactionalId)
    rt.logger.info(`transaction coordinator: transactional id ${JSON.stringify(meta.transactionalId)} expired after ${rt.config.transactionalIdExpirationMs} ms without activity`)
    expired++
  }
  return expired
}

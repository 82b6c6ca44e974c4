import { OFFSETS_TOPIC } from '../groups/internal-topics.js'
import { ProducerStateError } from '../producers/errors.js'
import { NO_EPOCH, transition, type TopicPartition, type TransactionMetadata } from './metadata.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/** The coordinator epoch written in markers: one broker, never re-elected. */
export const COORDINATOR_EPOCH = 0

/**
 * Ends an Ongoing transaction: persists PrepareCommit or PrepareAbort (the decision, from then on
 * durable), then {@link completeTransaction}. With `fence`, the epoch is bumped first (through
 * PrepareEpochFence, in memory) so the markers and every later request of the old producer carry
 * or meet a newer epoch: how InitProducerId fences a producer and how a timed-out transaction is
 * aborted.
 *
 * Answers NONE once the decision is persisted, even when some markers could not be written yet
 * (they are retried; until then the transactional id answers CONCURRENT_TRANSACTIONS).
 */
export function endTransaction(rt: TxnRuntime, meta: TransactionMetadata, commit: boolean, fence: boolean): TxnResult {
  const base = fence ? transition(meta, { state: 'PrepareEpochFence', producerEpoch: meta.producerEpoch + 1, lastProducerEpoch: NO_EPOCH }) : meta
  const prepared = transition(base, { state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateTimestamp: rt.now() })
  const result = rt.persist(prepared)
  if (result !== 'NONE') return result
  rt.pendingMarkers.set(prepared.transactionalId, [...prepared.partitions])
  completeTransaction(rt, prepared.transactionalId)
  return 'NONE'
}

/**
 * Finishes a prepared transaction: writes its COMMIT or ABORT marker to every partition still
 * waiting for one, completes the producer's transactional offsets in the group coordinator, and
 * persists CompleteCommit or CompleteAbort. Returns true when the transaction is complete; false
 * when something failed (logged) and a later call must carry on from there.
 *
 * Partitions of deleted topics are skipped. Offsets partitions (`__consumer_offsets`, added by
 * AddOffsetsToTxn) get no marker: the group coordinator keeps transactional offsets apart and
 * completes them when told to.
 */
export function completeTransaction(rt: TxnRuntime, transactionalId: string): boolean {
  const meta = rt.transactions.get(transactionalId)
  const remaining = rt.pendingMarkers.get(transactionalId)
  if (!meta || !remaining) return true
  const commit = meta.state === 'PrepareCommit'
  const left = remaining.filter((tp) => !writeMarker(rt, meta, tp, commit))
  rt.pendingMarkers.set(transactionalId, left)
  if (left.length > 0) return false
  try {
    rt.groups.completeTransactionalOffsets(meta.producerId, meta.producerEpoch, commit)
  } catch (err) {
    rt.logger.error(`transaction coordinator: completing the transactional offsets of ${JSON.stringify(transactionalId)} failed; retrying later`, err)
    return false
  }
  const done = transition(meta, { state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: [], lastUpdateTimestamp: rt.now() })
  if (rt.persist(done) !== 'NONE') return false
  rt.pendingMarkers.delete(transactionalId)
  rt.logger.info(`transaction coordinator: ${commit ? 'committed' : 'aborted'} the transaction of ${JSON.stringify(transactionalId)} (producer ${meta.producerId}, epoch ${meta.producerEpoch}) over ${meta.partitions.length} partition(s)`)
  return true
}

/** Retries every transaction whose completion is pending; returns how many are still pending. */
export function retryPendingCompletions(rt: TxnRuntime): number {
  for (const transactionalId of [...rt.pendingMarkers.keys()]) completeTransaction(rt, transactionalId)
  return rt.pendingMarkers.size
}

/** Writes one marker; true when the partition needs no more (written, or gone). */
function writeMarker(rt: TxnRuntime, meta: TransactionMetadata, tp: TopicPartition, commit: boolean): boolean {
  if (tp.topic === OFFSETS_TOPIC) return true
  const log = rt.logs.getLog(tp.topic, tp.partition)
  if (!log || log.isClosed) {
    rt.logger.info(`transaction coordinator: ${tp.topic}-${tp.partition} no longer exists; skipping the marker of ${JSON.stringify(meta.transactionalId)}`)
    return true
  }
  try {
    rt.producers.appendMarker(log, { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit, coordinatorEpoch: COORDINATOR_EPOCH })
    return true
  } catch (err) {
    if (err instanceof ProducerStateError) {
      // The partition has seen a newer epoch of this producer: a marker of this one can never be written.
      rt.logger.warn(`transaction coordinator: ${tp.topic}-${tp.partition} refused the marker of ${JSON.stringify(meta.transactionalId)}: ${err.detail}`)
      return true
    }
    rt.logger.error(`transaction coordinator: writing the ${commit ? 'COMMIT' : 'ABORT'} marker of ${JSON.stringify(meta.transactionalId)} to ${tp.topic}-${tp.partition} failed; retrying later`, err)
    return false
  }
}

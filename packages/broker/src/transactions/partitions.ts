import { OFFSETS_TOPIC } from '../groups/internal-topics.js'
import { producerStateError, type ProducerStateError } from '../producers/errors.js'
import { completeTransaction } from './completion.js'
import { hasPartition, mergePartitions, transition, type TopicPartition, type TransactionMetadata } from './metadata.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/** A partition's answer to AddPartitionsToTxn. */
export interface PartitionResult extends TopicPartition {
  error: TxnResult
}

/** The producer of a request: its transactional id, producer id and epoch. */
export interface TxnProducer {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
}

/**
 * The checks every request of a transactional producer starts with, as Kafka's coordinator: the
 * metadata must exist for this producer id (INVALID_PRODUCER_ID_MAPPING) with this epoch
 * (PRODUCER_FENCED), and no earlier transaction may still be completing (CONCURRENT_TRANSACTIONS;
 * a pending completion is retried first). Returns the metadata or the error.
 */
export function producerMetadata(rt: TxnRuntime, p: TxnProducer): TransactionMetadata | TxnResult {
  if (!rt.active) return 'COORDINATOR_NOT_AVAILABLE'
  if (p.transactionalId === '') return 'INVALID_REQUEST'
  let meta = rt.transactions.get(p.transactionalId)
  if (!meta || meta.producerId !== p.producerId) return 'INVALID_PRODUCER_ID_MAPPING'
  if (meta.producerEpoch !== p.producerEpoch) return 'PRODUCER_FENCED'
  if (rt.pendingMarkers.has(p.transactionalId) && !completeTransaction(rt, p.transactionalId)) return 'CONCURRENT_TRANSACTIONS'
  meta = rt.transactions.get(p.transactionalId)!
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS'
  return meta
}

/**
 * AddPartitionsToTxn (and AddOffsetsToTxn, with the group's offsets partition): adds partitions to
 * the producer's transaction, starting one (Ongoing) when none is open. Partitions of unknown topics
 * answer UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, adding nothing, as
 * Kafka does; errors of the producer itself apply to every partition.
 */
export function addPartitions(rt: TxnRuntime, p: TxnProducer, partitions: readonly TopicPartition[]): PartitionResult[] {
  const unknown = partitions.filter((tp) => tp.topic !== OFFSETS_TOPIC && !rt.logs.getLog(tp.topic, tp.partition))
  if (unknown.length > 0) {
    return partitions.map((tp) => ({ ...tp, error: unknown.includes(tp) ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'OPERATION_NOT_ATTEMPTED' }))
  }
  const all = (error: TxnResult) => partitions.map((tp) => ({ ...tp, error }))
  const meta = producerMetadata(rt, p)
  if (typeof meta === 'string') return all(meta)
  if (meta.state === 'Ongoing' && partitions.every((tp) => hasPartition(meta, tp))) return all('NONE')
  const now = rt.now()
  const started = meta.state === 'Ongoing' ? meta.startTimestamp : now
  const next = transition(meta, { state: 'Ongoing', partitions: mergePartitions(meta.partitions, partitions), startTimestamp: started, lastUpdateTimestamp: now })
  return all(rt.persist(next))
}

/**
 * AddPartitionsToTxn v4+ with `verifyOnly`: whether each partition is in the producer's open
 * transaction (NONE) or not (TRANSACTION_ABORTABLE), without adding any.
 */
export function verifyPartitions(rt: TxnRuntime, p: TxnProducer, partitions: readonly TopicPartition[]): PartitionResult[] {
  const meta = producerMetadata(rt, p)
  if (typeof meta === 'string') return partitions.map((tp) => ({ ...tp, error: meta }))
  return partitions.map((tp) => ({ ...tp, error: meta.state === 'Ongoing' && hasPartition(meta, tp) ? 'NONE' : 'TRANSACTION_ABORTABLE' }))
}

/** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
export function addOffsets(rt: TxnRuntime, p: TxnProducer, groupId: string): TxnResult {
  if (groupId === '') return 'INVALID_GROUP_ID'
  try {
    rt.groups.ensureOffsetsTopic()
  } catch (err) {
    rt.logger.error(`transaction coordinator: creating ${OFFSETS_TOPIC} for group ${JSON.stringify(groupId)} failed`, err)
    return 'COORDINATOR_NOT_AVAILABLE'
  }
  return addPartitions(rt, p, [{ topic: OFFSETS_TOPIC, partition: rt.groups.partitionFor(groupId) }])[0]!.error
}

/**
 * The transaction side of TxnOffsetCommit: the producer's transaction must be open with this id
 * and epoch and hold the group's offsets partition (AddOffsetsToTxn first). Answers NONE,
 * INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH (a fenced producer, as Kafka's group
 * coordinator answers), CONCURRENT_TRANSACTIONS or INVALID_TXN_STATE.
 */
export function checkTxnOffsetCommit(rt: TxnRuntime, p: TxnProducer, groupId: string): TxnResult {
  const meta = producerMetadata(rt, p)
  if (meta === 'PRODUCER_FENCED') return 'INVALID_PRODUCER_EPOCH'
  if (typeof meta === 'string') return meta
  const offsets = { topic: OFFSETS_TOPIC, partition: rt.groups.partitionFor(groupId) }
  return meta.state === 'Ongoing' && hasPartition(meta, offsets) ? 'NONE' : 'INVALID_TXN_STATE'
}

/**
 * Whether a transactional batch of `producerId` at `epoch` may go to a partition: the transaction
 * must be open, with this epoch, holding the partition (AddPartitionsToTxn first). The refusal is
 * INVALID_PRODUCER_EPOCH for a fenced producer, INVALID_TXN_STATE otherwise.
 */
export function verifyTransactionalWrite(rt: TxnRuntime, producerId: bigint, epoch: number, topic: string, partition: number): ProducerStateError | undefined {
  const where = `${topic}-${partition}`
  const transactionalId = rt.byProducerId.get(producerId)
  const meta = transactionalId === undefined ? undefined : rt.transactions.get(transactionalId)
  if (!meta) return producerStateError('INVALID_TXN_STATE', `Producer ${producerId} wrote a transactional batch to ${where} but has no transaction`)
  if (meta.producerId !== producerId || epoch < meta.producerEpoch) {
    return producerStateError('INVALID_PRODUCER_EPOCH', `Producer ${producerId} epoch ${epoch} of ${JSON.stringify(meta.transactionalId)} has been fenced by epoch ${meta.producerEpoch}`)
  }
  if (epoch !== meta.producerEpoch || meta.state !== 'Ongoing' || !hasPartition(meta, { topic, partition })) {
    return producerStateError('INVALID_TXN_STATE', `Producer ${producerId} of ${JSON.stringify(meta.transactionalId)} wrote to ${where}, which is not in its open transaction (state ${meta.state}); add it with AddPartitionsToTxn first`)
  }
  return undefined
}

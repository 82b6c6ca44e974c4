/**
 * A transactional id's metadata and the transaction state machine (Kafka's transaction protocol
 * version 1, KIP-98/KIP-360):
 *
 * ```
 * Empty ──AddPartitions/AddOffsets──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
 *                                        │    ──EndTxn(abort)───▶ PrepareAbort  ──markers──▶ CompleteAbort
 *                                        └──fencing/timeout──▶ PrepareEpochFence ──▶ PrepareAbort
 * CompleteCommit/CompleteAbort ──AddPartitions──▶ Ongoing;  Empty/Complete* ──InitProducerId──▶ Empty
 * Empty/Complete* ──transactional.id.expiration.ms──▶ Dead (removed)
 * ```
 *
 * PrepareEpochFence is never persisted: it is the in-memory step that bumps the epoch before the
 * abort of a fenced or timed-out producer's transaction is prepared.
 */

/** The states, named as DescribeTransactions and ListTransactions report them. */
export type TransactionState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence'

/** Every state, at the index of its persisted id (Kafka's ids). */
export const TRANSACTION_STATES: readonly TransactionState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence']

const PREVIOUS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareEpochFence: ['Ongoing'],
}

/** No producer id (-1). */
export const NO_PRODUCER_ID = -1n
/** No producer epoch (-1). */
export const NO_EPOCH = -1
/** The largest producer epoch (int16). */
export const MAX_EPOCH = 0x7fff

/** A topic partition. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** Everything the coordinator keeps about one transactional id. */
export interface TransactionMetadata {
  readonly transactionalId: string
  readonly producerId: bigint
  /** The producer id before the last rotation (epoch exhaustion), or -1. */
  readonly previousProducerId: bigint
  readonly producerEpoch: number
  /** The epoch before the last bump a producer asked for (KIP-360 retries), or -1. */
  readonly lastProducerEpoch: number
  readonly timeoutMs: number
  readonly state: TransactionState
  /** The partitions of the current transaction, sorted by topic then partition. */
  readonly partitions: readonly TopicPartition[]
  /** When the current transaction started (its first partition was added), -1 when none did. */
  readonly startTimestamp: number
  readonly lastUpdateTimestamp: number
}

/**
 * The metadata after a transition to `changes.state` with the other changes applied.
 *
 * @throws Error when the state machine does not allow the transition: the coordinator checks
 * requests before transitioning, so this is a bug, never a client's doing.
 */
export function transition(meta: TransactionMetadata, changes: Partial<TransactionMetadata> & { state: TransactionState }): TransactionMetadata {
  if (!PREVIOUS[changes.state].includes(meta.state)) {
    throw new Error(`Transactional id ${JSON.stringify(meta.transactionalId)} cannot go from ${meta.state} to ${changes.state}`)
  }
  return { ...meta, ...changes }
}

/** Whether the epoch is too high to bump once more (Kafka rotates the producer id then). */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1
}

/** Whether the transaction holds the partition. */
export function hasPartition(meta: TransactionMetadata, tp: TopicPartition): boolean {
  return meta.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition)
}

/** The union of two partition lists, sorted. */
export function mergePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const byKey = new Map<string, TopicPartition>()
  for (const tp of [...a, ...b]) byKey.set(`${tp.topic}\0${tp.partition}`, { topic: tp.topic, partition: tp.partition })
  return [...byKey.values()].sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1))
}

/** The partitions grouped by topic, in order, as the responses list them. */
export function partitionsByTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? []
    list.push(tp.partition)
    byTopic.set(tp.topic, list)
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }))
}

/** Whether a transactional id in this state may expire. */
export function isExpirable(state: TransactionState): boolean {
  return state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort'
}

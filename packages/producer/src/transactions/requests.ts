import { UnsupportedVersionError, type Cluster } from '@tributary/client'
import { AddOffsetsToTxnApi, AddPartitionsToTxnApi, EndTxnApi, ErrorCode, TxnOffsetCommitApi, errorForCode, type KafkaProtocolError } from '@tributary/protocol'
import type { ProducerIdentity } from '../idempotence/producer-identity.js'
import { FATAL_PRODUCER_CODES } from '../internal/outcomes.js'

/**
 * The transaction coordinator exchanges of a transactional producer, each retried (with the client's
 * backoff, up to `timeoutMs`) while the error is retriable: a moved or loading coordinator,
 * CONCURRENT_TRANSACTIONS while the previous transaction is still being completed, a lost connection.
 * Each resolves once the coordinator accepted, or rejects with the error that ended the attempts.
 */

/** What every exchange needs. */
export interface TxnRequestContext {
  cluster: Cluster
  transactionalId: string
  identity: ProducerIdentity
  timeoutMs: number
}

/** A consumer group's identity when offsets are committed in a transaction (KIP-447). */
export interface ConsumerGroupMetadata {
  groupId: string
  /** The consumer's generation; -1 when unknown (the commit is then not fenced by generation). */
  generationId: number
  /** The consumer's member id; '' when unknown. */
  memberId: string
  groupInstanceId?: string | null
}

/**
 * An offset to commit with a transaction: the offset of the next record to consume from the partition
 * (the last processed offset + 1), as Kafka commits offsets.
 */
export interface TransactionOffset {
  topic: string
  partition: number
  offset: bigint | number | string
  metadata?: string | null
  /** The leader epoch of the last consumed record, when known. */
  leaderEpoch?: number
}

/** Client requests use AddPartitionsToTxn v3 at most: v4+ is the brokers' own verification form (KIP-890). */
const ADD_PARTITIONS_MAX_VERSION = 3
/** EndTxn v5 belongs to transaction protocol v2 (KIP-890 part 2), which this producer does not speak. */
const END_TXN_MAX_VERSION = 4

const coordinatorOf = (c: TxnRequestContext) => ({ type: 'transaction' as const, key: c.transactionalId })

/** The most telling error among per-partition codes: fatal first, then others, OPERATION_NOT_ATTEMPTED last. */
function worstError(codes: { code: number; what: string }[]): KafkaProtocolError | null {
  let chosen: KafkaProtocolError | null = null
  let rank = 0
  for (const { code, what } of codes) {
    const error = errorForCode(code, what)
    if (error === null) continue
    const r = FATAL_PRODUCER_CODES.has(error.code) ? 4 : error.code === 'OPERATION_NOT_ATTEMPTED' ? 1 : error.retriable ? 2 : 3
    if (r > rank) {
      chosen = error
      rank = r
    }
  }
  return chosen
}

/** AddPartitionsToTxn: the partitions may now receive the transaction's batches. */
export async function addPartitionsToTxn(c: TxnRequestContext, partitions: readonly { topic: string; partition: number }[]): Promise<void> {
  const byTopic = new Map<string, number[]>()
  for (const p of partitions) {
    const list = byTopic.get(p.topic)
    if (list) list.push(p.partition)
    else byTopic.set(p.topic, [p.partition])
  }
  const topics = [...byTopic].map(([name, ps]) => ({ name, partitions: ps }))
  await c.cluster.retry(
    async () => {
      const conn = await c.cluster.coordinatorConnection('transaction', c.transactionalId)
      const version = conn.versionFor(AddPartitionsToTxnApi, ADD_PARTITIONS_MAX_VERSION)
      const res = await conn.request(
        AddPartitionsToTxnApi,
        { v3AndBelowTransactionalId: c.transactionalId, v3AndBelowProducerId: c.identity.producerId, v3AndBelowProducerEpoch: c.identity.producerEpoch, v3AndBelowTopics: topics },
        { version },
      )
      const codes = res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => ({ code: p.partitionErrorCode, what: `AddPartitionsToTxn ${t.name}-${p.partitionIndex}` })))
      const error = worstError(codes)
      if (error) throw error
    },
    { coordinator: coordinatorOf(c), timeoutMs: c.timeoutMs },
  )
}

/** AddOffsetsToTxn: the group's offsets will be committed (or discarded) with the transaction. */
export async function addOffsetsToTxn(c: TxnRequestContext, groupId: string): Promise<void> {
  await c.cluster.retry(
    async () => {
      const conn = await c.cluster.coordinatorConnection('transaction', c.transactionalId)
      const res = await conn.request(AddOffsetsToTxnApi, { transactionalId: c.transactionalId, producerId: c.identity.producerId, producerEpoch: c.identity.producerEpoch, groupId })
      const error = errorForCode(res.errorCode, `AddOffsetsToTxn for group "${groupId}"`)
      if (error) throw error
    },
    { coordinator: coordinatorOf(c), timeoutMs: c.timeoutMs },
  )
}

/** TxnOffsetCommit to the group coordinator: the offsets, pending until the transaction ends. */
export async function txnOffsetCommit(c: TxnRequestContext, group: ConsumerGroupMetadata, offsets: readonly TransactionOffset[]): Promise<void> {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }[]>()
  for (const o of offsets) {
    const entry = { partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: o.leaderEpoch ?? -1, committedMetadata: o.metadata ?? '' }
    const list = byTopic.get(o.topic)
    if (list) list.push(entry)
    else byTopic.set(o.topic, [entry])
  }
  const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }))
  await c.cluster.retry(
    async () => {
      const conn = await c.cluster.coordinatorConnection('group', group.groupId)
      const version = conn.versionFor(TxnOffsetCommitApi)
      const fenced = group.generationId !== -1 || group.memberId !== '' || (group.groupInstanceId ?? null) !== null
      if (version < 3 && fenced) {
        throw new UnsupportedVersionError(
          `Broker ${conn.address} offers TxnOffsetCommit up to version ${version}; committing with consumer group metadata (generation, member id) needs version 3 (Kafka 2.5+). Pass the group id alone to commit without it.`,
        )
      }
      const res = await conn.request(
        TxnOffsetCommitApi,
        {
          transactionalId: c.transactionalId,
          groupId: group.groupId,
          producerId: c.identity.producerId,
          producerEpoch: c.identity.producerEpoch,
          generationId: version >= 3 ? group.generationId : -1,
          memberId: version >= 3 ? group.memberId : '',
          groupInstanceId: version >= 3 ? (group.groupInstanceId ?? null) : null,
          topics,
        },
        { version },
      )
      const codes = res.topics.flatMap((t) => t.partitions.map((p) => ({ code: p.errorCode, what: `TxnOffsetCommit ${t.name}-${p.partitionIndex} for group "${group.groupId}"` })))
      const error = worstError(codes)
      if (error) {
        if (error.code === 'NOT_COORDINATOR' || error.code === 'COORDINATOR_NOT_AVAILABLE') c.cluster.invalidateCoordinator('group', group.groupId)
        throw error
      }
    },
    { coordinator: { type: 'group', key: group.groupId }, timeoutMs: c.timeoutMs },
  )
}

/** EndTxn: commits or aborts the transaction (the coordinator writes the markers). */
export async function endTxn(c: TxnRequestContext, commit: boolean): Promise<void> {
  await c.cluster.retry(
    async () => {
      const conn = await c.cluster.coordinatorConnection('transaction', c.transactionalId)
      const version = conn.versionFor(EndTxnApi, END_TXN_MAX_VERSION)
      const res = await conn.request(EndTxnApi, { transactionalId: c.transactionalId, producerId: c.identity.producerId, producerEpoch: c.identity.producerEpoch, committed: commit }, { version })
      if (res.errorCode === ErrorCode.NONE) return
      throw errorForCode(res.errorCode, `EndTxn (${commit ? 'commit' : 'abort'}) for transactionalId "${c.transactionalId}"`)!
    },
    { coordinator: coordinatorOf(c), timeoutMs: c.timeoutMs },
  )
}

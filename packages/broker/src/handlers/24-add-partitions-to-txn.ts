/**
 * AddPartitionsToTxn (API key 24), versions 0-5.
 *
 * Adds partitions to a producer's transaction, starting it (Ongoing) when none is open; the change
 * is persisted in `__transaction_state` before the answer (see `transactions/partitions.ts`).
 * - v0-3 (clients): one transaction. Per partition: UNKNOWN_TOPIC_OR_PARTITION for a partition that
 *   does not exist, and then OPERATION_NOT_ATTEMPTED for the others (nothing is added).
 * - v4+ (brokers, KIP-890): a batch of transactions, each answered on its own; `verifyOnly` checks
 *   whether the partitions are already in the open transaction (NONE, else TRANSACTION_ABORTABLE)
 *   without adding them. The top-level error is NONE.
 * - Errors of the producer, for every partition: INVALID_PRODUCER_ID_MAPPING (unknown transactional
 *   id, or another producer id), PRODUCER_FENCED (another epoch; INVALID_PRODUCER_EPOCH before v2),
 *   CONCURRENT_TRANSACTIONS (the previous transaction is still completing), INVALID_REQUEST (empty
 *   transactional id), COORDINATOR_NOT_AVAILABLE.
 * - With ACLs (v0-3): Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for
 *   every partition) and on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions, and
 *   OPERATION_NOT_ATTEMPTED for the others: nothing is added). v4+ come from brokers and need
 *   ClusterAction on the cluster (CLUSTER_AUTHORIZATION_FAILED).
 */
import { AddPartitionsToTxnApi, ErrorCode, type AddPartitionsToTxnRequestAddPartitionsToTxnTopic } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, authorizeCluster, topicAuthorizer } from '../security/access.js'
import type { PartitionResult } from '../transactions/partitions.js'
import { defineHandler, type RequestContext } from './handler.js'
import { txnErrorCode } from './txn-codes.js'

const PRODUCER_FENCED_SINCE = 2
const BATCHED_SINCE = 4

type Topics = readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[]

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: AddPartitionsToTxnApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const txns = ctx.broker.transactions
    if (v < BATCHED_SINCE) {
      const refused = refusedTopics(request.v3AndBelowTransactionalId, request.v3AndBelowTopics, ctx)
      if (refused) return { throttleTimeMs: 0, resultsByTopicV3AndBelow: refused }
      const producer = { transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId, producerEpoch: request.v3AndBelowProducerEpoch }
      const results = txns.addPartitions(producer, flatten(request.v3AndBelowTopics))
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: byTopic(results, v) }
    }
    if (!authorizeCluster(ctx, AclOperation.CLUSTER_ACTION)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] }
    const resultsByTransaction = request.transactions.map((t) => {
      const producer = { transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch }
      const partitions = flatten(t.topics)
      const results = t.verifyOnly ? txns.verifyPartitions(producer, partitions) : txns.addPartitions(producer, partitions)
      return { transactionalId: t.transactionalId, topicResults: byTopic(results, v) }
    })
    return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction }
  },

  errorResponse(request, errorCode, ctx) {
    const failed = (topics: Topics) => topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })) }))
    if (ctx.apiVersion < BATCHED_SINCE) return { throttleTimeMs: 0, resultsByTopicV3AndBelow: failed(request.v3AndBelowTopics) }
    return { throttleTimeMs: 0, errorCode, resultsByTransaction: request.transactions.map((t) => ({ transactionalId: t.transactionalId, topicResults: failed(t.topics) })) }
  },
})

/** The answer when the principal may not add these partitions, or undefined when it may. */
function refusedTopics(transactionalId: string, topics: Topics, ctx: RequestContext) {
  const answer = (code: (topic: string) => number) => topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(t.name) })) }))
  if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  const writable = topicAuthorizer(ctx, AclOperation.WRITE)
  if (topics.every((t) => writable(t.name))) return undefined
  return answer((topic) => (writable(topic) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.TOPIC_AUTHORIZATION_FAILED))
}

function flatten(topics: Topics): { topic: string; partition: number }[] {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })))
}

function byTopic(results: readonly PartitionResult[], version: number) {
  const topics = new Map<string, { partitionIndex: number; partitionErrorCode: number }[]>()
  for (const r of results) {
    const list = topics.get(r.topic) ?? []
    list.push({ partitionIndex: r.partition, partitionErrorCode: txnErrorCode(r.error, version, PRODUCER_FENCED_SINCE) })
    topics.set(r.topic, list)
  }
  return [...topics].map(([name, resultsByPartition]) => ({ name, resultsByPartition }))
}

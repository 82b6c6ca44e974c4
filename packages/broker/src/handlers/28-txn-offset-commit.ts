/**
 * TxnOffsetCommit (API key 28), versions 0-4.
 *
 * Stages a group's offsets in the producer's transaction: they are stored in `__consumer_offsets`
 * but OffsetFetch does not return them (and RequireStable answers UNSTABLE_OFFSET_COMMIT) until
 * EndTxn commits them; an abort drops them.
 * - The transaction must be open for this producer id and epoch and hold the group's offsets
 *   partition (AddOffsetsToTxn first): else INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH
 *   (fenced), CONCURRENT_TRANSACTIONS or INVALID_TXN_STATE, for every partition.
 * - v3+ (KIP-447): the generation, member id and instance id are checked against the group, as an
 *   OffsetCommit's: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID. Older versions carry
 *   none and are checked as generation -1.
 * - Per partition: UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE; v2+ carry the leader epoch.
 * - With ACLs: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), Read on the
 *   group (GROUP_AUTHORIZATION_FAILED), both for every partition; Read on each topic
 *   (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import { ErrorCode, TxnOffsetCommitApi, type TxnOffsetCommitRequest } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, topicAuthorizer } from '../security/access.js'
import { defineHandler } from './handler.js'

export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommitApi,
  minVersion: 0,
  maxVersion: TxnOffsetCommitApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return allWith(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return allWith(request, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    const readable = topicAuthorizer(ctx, AclOperation.READ)
    const denied = allWith({ topics: request.topics.filter((t) => !readable(t.name)) }, ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics
    const { groups, transactions } = ctx.broker
    const producer = { transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch }
    const txnResult = transactions.checkTxnOffsetCommit(producer, request.groupId)
    if (txnResult !== 'NONE') return allWith(request, ErrorCode[txnResult])
    const generation = groups.validateGeneration(request.groupId, v >= 3 ? request.generationId : -1, v >= 3 ? request.memberId : '', v >= 3 ? request.groupInstanceId : null)
    if (generation !== ErrorCode.NONE) return allWith(request, generation)
    const topics = request.topics.filter((t) => readable(t.name)).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata,
        commitTimestamp: -1,
      })),
    }))
    const results = topics.length > 0 ? groups.stageTransactionalOffsets(request.groupId, request.producerId, request.producerEpoch, topics) : []
    return { throttleTimeMs: 0, topics: [...results, ...denied] }
  },

  errorResponse(request, errorCode) {
    return allWith(request, errorCode)
  },
})

function allWith(request: Pick<TxnOffsetCommitRequest, 'topics'>, errorCode: number) {
  return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) }
}

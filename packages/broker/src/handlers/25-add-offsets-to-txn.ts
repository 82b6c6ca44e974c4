/**
 * AddOffsetsToTxn (API key 25), versions 0-4.
 *
 * Adds the group's `__consumer_offsets` partition to the producer's transaction (creating the topic
 * when needed), so that TxnOffsetCommit may stage the group's offsets in it; they become committed
 * offsets only when the transaction commits. Errors as AddPartitionsToTxn:
 * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2),
 * CONCURRENT_TRANSACTIONS, INVALID_REQUEST, INVALID_GROUP_ID (empty group id),
 * COORDINATOR_NOT_AVAILABLE. With ACLs: Write on the transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and Read on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { AddOffsetsToTxnApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'
import { txnErrorCode } from './txn-codes.js'

const PRODUCER_FENCED_SINCE = 2

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: AddOffsetsToTxnApi.maxVersion,

  handle(request, ctx) {
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    const producer = { transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch }
    const result = ctx.broker.transactions.addOffsets(producer, request.groupId)
    return { throttleTimeMs: 0, errorCode: txnErrorCode(result, ctx.apiVersion, PRODUCER_FENCED_SINCE) }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode }
  },
})

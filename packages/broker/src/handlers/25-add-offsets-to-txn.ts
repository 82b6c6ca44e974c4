/**
 * AddOffsetsToTxn (API key 25), versions 0-4.
 *
 * Adds the group's `__consumer_offsets` partition to the producer's transaction (creating the topic
 * when needed), so that TxnOffsetCommit may stage the group's offsets in it; they become committed
 * offsets only when the transaction commits. Errors as AddPartitionsToTxn:
 * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2),
 * CONCURRENT_TRANSACTIONS, INVALID_REQUEST, INVALID_GROUP_ID (empty group id),
 * COORDINATOR_NOT_AVAILABLE.
 */
import { AddOffsetsToTxnApi } from '@tributary/protocol'
import { defineHandler } from './handler.js'
import { txnErrorCode } from './txn-codes.js'

const PRODUCER_FENCED_SINCE = 2

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: AddOffsetsToTxnApi.maxVersion,

  handle(request, ctx) {
    const producer = { transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch }
    const result = ctx.broker.transactions.addOffsets(producer, request.groupId)
    return { throttleTimeMs: 0, errorCode: txnErrorCode(result, ctx.apiVersion, PRODUCER_FENCED_SINCE) }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode }
  },
})

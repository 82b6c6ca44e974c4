/**
 * DescribeTransactions (API key 65), version 0.
 *
 * For each transactional id: its state (Empty, Ongoing, PrepareCommit, PrepareAbort,
 * CompleteCommit, CompleteAbort), producer id and epoch, transaction timeout, the start time of the
 * open transaction (-1 when none) and its partitions. Unknown ids answer TRANSACTIONAL_ID_NOT_FOUND,
 * an empty one INVALID_REQUEST. With ACLs, an id the principal may not Describe answers
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, and partitions of topics it may not Describe are left out.
 */
import { DescribeTransactionsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, topicAuthorizer } from '../security/access.js'
import { defineHandler } from './handler.js'

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: DescribeTransactionsApi.maxVersion,

  handle(request, ctx) {
    const describable = topicAuthorizer(ctx, AclOperation.DESCRIBE, false)
    const transactionStates = request.transactionalIds.map((id) => {
      if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) return failed(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      const d = ctx.broker.transactions.describe(id)
      return {
        errorCode: ErrorCode[d.error],
        transactionalId: id,
        transactionState: d.state,
        transactionTimeoutMs: d.timeoutMs,
        transactionStartTimeMs: BigInt(d.startTimestamp),
        producerId: d.producerId,
        producerEpoch: d.producerEpoch,
        topics: d.topics.filter((t) => describable(t.topic)),
      }
    })
    return { throttleTimeMs: 0, transactionStates }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, transactionStates: request.transactionalIds.map((id) => failed(id, errorCode)) }
  },
})

function failed(transactionalId: string, errorCode: number) {
  return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] }
}

/**
 * DescribeTransactions (API key 65), version 0.
 *
 * For each transactional id: its state (Empty, Ongoing, PrepareCommit, PrepareAbort,
 * CompleteCommit, CompleteAbort), producer id and epoch, transaction timeout, the start time of the
 * open transaction (-1 when none) and its partitions. Unknown ids answer TRANSACTIONAL_ID_NOT_FOUND,
 * an empty one INVALID_REQUEST.
 */
import { DescribeTransactionsApi, ErrorCode } from '@tributary/protocol'
import { defineHandler } from './handler.js'

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: DescribeTransactionsApi.maxVersion,

  handle(request, ctx) {
    const transactionStates = request.transactionalIds.map((id) => {
      const d = ctx.broker.transactions.describe(id)
      return {
        errorCode: ErrorCode[d.error],
        transactionalId: id,
        transactionState: d.state,
        transactionTimeoutMs: d.timeoutMs,
        transactionStartTimeMs: BigInt(d.startTimestamp),
        producerId: d.producerId,
        producerEpoch: d.producerEpoch,
        topics: d.topics,
      }
    })
    return { throttleTimeMs: 0, transactionStates }
  },

  errorResponse(request, errorCode) {
    const transactionStates = request.transactionalIds.map((transactionalId) => ({
      errorCode,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: -1n,
      producerEpoch: -1,
      topics: [],
    }))
    return { throttleTimeMs: 0, transactionStates }
  },
})

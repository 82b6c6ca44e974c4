/**
 * ListTransactions (API key 66), versions 0-1.
 *
 * Lists transactional ids with their producer id and state, filtered by state names and producer
 * ids (empty filters match everything) and, from v1, by how long the transaction has been running
 * (`durationFilter` milliseconds; negative: no filter). State names this broker does not know are
 * echoed in `unknownStateFilters`. With ACLs, only ids the principal may Describe are listed.
 */
import { ErrorCode, ListTransactionsApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const listTransactionsHandler = defineHandler({
  api: ListTransactionsApi,
  minVersion: 0,
  maxVersion: ListTransactionsApi.maxVersion,

  handle(request, ctx) {
    const minDurationMs = ctx.apiVersion >= 1 ? Number(request.durationFilter) : -1
    const result = ctx.broker.transactions.list({ states: request.stateFilters, producerIds: request.producerIdFilters, minDurationMs })
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[result.error],
      unknownStateFilters: result.unknownStates,
      transactionStates: result.transactions.filter((t) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId, false)).map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }
  },
})

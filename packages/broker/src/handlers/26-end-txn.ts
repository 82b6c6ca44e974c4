/**
 * EndTxn (API key 26), versions 0-5.
 *
 * Commits or aborts the producer's open transaction (see `transactions/end-txn.ts`): PrepareCommit
 * or PrepareAbort is persisted, the COMMIT or ABORT markers are appended to every partition of the
 * transaction, its transactional offsets are committed or dropped, and the Complete state is
 * persisted — all before the answer, so read_committed consumers see the outcome at once.
 * - A retried EndTxn of a transaction already completed the same way answers NONE; one still
 *   completing answers CONCURRENT_TRANSACTIONS; a transition the state machine does not allow
 *   (nothing open, or the opposite decision) answers INVALID_TXN_STATE.
 * - Producer errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before
 *   v2), INVALID_REQUEST, COORDINATOR_NOT_AVAILABLE.
 * - v5 (KIP-890 part 2) is served with version 1 transaction semantics: the epoch is not bumped at
 *   the end of a transaction, and the response carries the producer's unchanged id and epoch.
 * - With ACLs: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { EndTxnApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'
import { txnErrorCode } from './txn-codes.js'

const PRODUCER_FENCED_SINCE = 2

export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: EndTxnApi.maxVersion,

  handle(request, ctx) {
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 }
    }
    const producer = { transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch }
    const result = ctx.broker.transactions.endTxn(producer, request.committed)
    const ok = result === 'NONE'
    return {
      throttleTimeMs: 0,
      errorCode: txnErrorCode(result, ctx.apiVersion, PRODUCER_FENCED_SINCE),
      producerId: ok ? request.producerId : -1n,
      producerEpoch: ok ? request.producerEpoch : -1,
    }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }
  },
})

/**
 * InitProducerId (API key 22), versions 0-5.
 *
 * Hands out producer ids and epochs (see `transactions/init-producer-id.ts`):
 * - no transactional id: a fresh producer id, epoch 0, for an idempotent producer;
 * - a transactional id: its metadata in `__transaction_state` is found or created and the epoch
 *   bumped, fencing the previous producer of that id; an open transaction is aborted (its ABORT
 *   markers written) before the answer. `transactionTimeoutMs` must be 1..`transaction.max.timeout.ms`
 *   (INVALID_TRANSACTION_TIMEOUT);
 * - v3+: a producer id and epoch in the request ask for an epoch bump of that producer (KIP-360);
 *   a stale one answers PRODUCER_FENCED — INVALID_PRODUCER_EPOCH before v4, which predates it.
 * Other errors: INVALID_REQUEST (empty transactional id), CONCURRENT_TRANSACTIONS (a transaction
 * still completing), COORDINATOR_NOT_AVAILABLE (the state could not be written, or shutdown).
 * With ACLs: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one,
 * IdempotentWrite on the cluster or Write on some topic (CLUSTER_AUTHORIZATION_FAILED), as Kafka.
 */
import { ErrorCode, InitProducerIdApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, authorizeIdempotentWrite } from '../security/access.js'
import { defineHandler } from './handler.js'
import { txnErrorCode } from './txn-codes.js'

const PRODUCER_FENCED_SINCE = 4

export const initProducerIdHandler = defineHandler({
  api: InitProducerIdApi,
  minVersion: 0,
  maxVersion: InitProducerIdApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const id = request.transactionalId
    if (id !== null && !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    if (id === null && !authorizeIdempotentWrite(ctx)) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    const result = ctx.broker.transactions.initProducerId({
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: v >= 3 ? request.producerId : -1n,
      producerEpoch: v >= 3 ? request.producerEpoch : -1,
    })
    return { throttleTimeMs: 0, errorCode: txnErrorCode(result.error, v, PRODUCER_FENCED_SINCE), producerId: result.producerId, producerEpoch: result.producerEpoch }
  },

  errorResponse(_request, errorCode) {
    return failed(errorCode)
  },
})

function failed(errorCode: number) {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }
}

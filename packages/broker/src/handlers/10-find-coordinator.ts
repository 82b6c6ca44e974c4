/**
 * FindCoordinator (API key 10), versions 0-6.
 *
 * Behaviour:
 * - This broker coordinates every group (key type 0) and every transactional id (key type 1): the
 *   answer is always this node at its advertised host and port. v0 knows only groups.
 * - The internal topic behind the key type is created on first use: `__consumer_offsets` for
 *   groups, `__transaction_state` for transactions (compacted, with `offsets.topic.num.partitions`
 *   and `transaction.state.log.num.partitions` partitions, 50 by default, as in Kafka). When it
 *   cannot be created the key answers COORDINATOR_NOT_AVAILABLE.
 * - v0-3 look up one `key`; v4+ look up a batch (`coordinatorKeys`) and answer one entry per key.
 * - Another key type answers INVALID_REQUEST.
 * - The coordinator's host and port are those the request's listener advertises.
 * - With ACLs: Describe on the group (GROUP_AUTHORIZATION_FAILED) or on the transactional id
 *   (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { ErrorCode, FindCoordinatorApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, endpointFor } from '../security/access.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

const GROUP = 0
const TRANSACTION = 1

interface Answer {
  errorCode: number
  errorMessage: string | null
  nodeId: number
  host: string
  port: number
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinatorApi,
  minVersion: 0,
  maxVersion: FindCoordinatorApi.maxVersion,

  handle(request, ctx) {
    const keyType = ctx.apiVersion >= 1 ? request.keyType : GROUP
    if (ctx.apiVersion >= 4) {
      return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map((key) => ({ key, ...locate(keyType, key, ctx) })) }
    }
    return { throttleTimeMs: 0, ...locate(keyType, request.key, ctx) }
  },

  errorResponse(request, errorCode, ctx) {
    const failed = { errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 }
    if (ctx.apiVersion >= 4) return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map((key) => ({ key, ...failed })) }
    return { throttleTimeMs: 0, ...failed }
  },
})

function locate(keyType: number, key: string, ctx: RequestContext): Answer {
  const fail = (errorCode: number, errorMessage: string | null): Answer => ({ errorCode, errorMessage, nodeId: -1, host: '', port: -1 })
  if (keyType !== GROUP && keyType !== TRANSACTION) return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}; expected 0 (group) or 1 (transaction)`)
  if (keyType === GROUP && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED, `Not authorized to describe group ${key}`)
  if (keyType === TRANSACTION && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `Not authorized to describe transactional id ${key}`)
  }
  try {
    if (keyType === GROUP) ctx.broker.groups.ensureOffsetsTopic()
    else ctx.broker.groups.ensureTransactionStateTopic()
  } catch (err) {
    const code = errorCodeOf(err, ctx, `creating the internal topic for ${keyType === GROUP ? 'group' : 'transactional id'} ${JSON.stringify(key)}`)
    return fail(code === ErrorCode.UNKNOWN_SERVER_ERROR ? code : ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessageOf(err))
  }
  const { nodeId, host, port } = endpointFor(ctx)
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId, host, port }
}

/**
 * Heartbeat (API key 12), versions 0-4.
 *
 * Keeps a member's session alive. Answers REBALANCE_IN_PROGRESS while the group prepares a
 * rebalance (the member must rejoin), ILLEGAL_GENERATION for another generation, UNKNOWN_MEMBER_ID
 * for a member the group does not have (removed after its session timeout, or an unknown group),
 * FENCED_INSTANCE_ID when another instance took over the v3+ `groupInstanceId`, and
 * INVALID_GROUP_ID for an empty group id.
 * With ACLs, needs Read on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode, HeartbeatApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const heartbeatHandler = defineHandler({
  api: HeartbeatApi,
  minVersion: 0,
  maxVersion: HeartbeatApi.maxVersion,

  handle(request, ctx) {
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    const errorCode = ctx.broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? request.groupInstanceId : null,
    })
    return { throttleTimeMs: 0, errorCode }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode }
  },
})

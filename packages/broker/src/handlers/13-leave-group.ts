/**
 * LeaveGroup (API key 13), versions 0-5.
 *
 * Removes members from a group, which then rebalances without them. v0-2 name one member; v3+ a
 * batch, each with its own result (an empty member id with a group instance id removes that static
 * member, as administrators do); v5 members may give a reason, which is logged.
 *
 * Errors: per member UNKNOWN_MEMBER_ID (also for every member of an unknown group) or
 * FENCED_INSTANCE_ID; for the group COORDINATOR_NOT_AVAILABLE or INVALID_GROUP_ID. v0-2 have no
 * member results, so they answer the member's error as the group's, as Kafka does.
 * With ACLs, needs Read on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode, LeaveGroupApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const leaveGroupHandler = defineHandler({
  api: LeaveGroupApi,
  minVersion: 0,
  maxVersion: LeaveGroupApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] }
    const leaving = v >= 3 ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? m.reason : null })) : [{ memberId: request.memberId, groupInstanceId: null, reason: null }]
    const result = ctx.broker.groups.leaveGroup(request.groupId, leaving)
    if (v >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members }
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] }
  },
})

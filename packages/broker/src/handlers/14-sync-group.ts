/**
 * SyncGroup (API key 14), versions 0-5.
 *
 * After a JoinGroup, every member sends SyncGroup; the leader's carries the assignment of every
 * member. Followers wait until the leader's arrives; the assignment is persisted in
 * `__consumer_offsets` and each member receives its own (members the leader left out get an
 * empty one). A stable group answers the member's current assignment at once. Assignment bytes are
 * opaque to the broker and passed on unchanged.
 *
 * Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (the group started another
 * rebalance: rejoin), FENCED_INSTANCE_ID (v3+ static members), INCONSISTENT_GROUP_PROTOCOL (v5
 * protocol type or name other than the group's), COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID.
 * With ACLs, needs Read on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode, SyncGroupApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const syncGroupHandler = defineHandler({
  api: SyncGroupApi,
  minVersion: 0,
  maxVersion: SyncGroupApi.maxVersion,

  async handle(request, ctx) {
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED)
    const v = ctx.apiVersion
    const assignments = new Map<string, Buffer>()
    // Copies: the decoded bytes are views into the request frame, and assignments outlive it.
    for (const a of request.assignments) assignments.set(a.memberId, Buffer.from(a.assignment))
    const result = await ctx.broker.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: v >= 3 ? request.groupInstanceId : null,
      protocolType: v >= 5 ? request.protocolType : null,
      protocolName: v >= 5 ? request.protocolName : null,
      assignments,
    })
    return { throttleTimeMs: 0, ...result }
  },

  errorResponse(_request, errorCode) {
    return failed(errorCode)
  },
})

function failed(errorCode: number) {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }
}

/**
 * JoinGroup (API key 11), versions 0-9.
 *
 * Behaviour (the group coordinator's, see `groups/join.ts`):
 * - A member joins with an empty member id and gets one: v4+ dynamic members first receive
 *   MEMBER_ID_REQUIRED with their new id and must join again with it (KIP-394); static members
 *   (v5+ `groupInstanceId`, KIP-345) get theirs at once, and a restarted static member takes over
 *   its instance's id, fencing the old one (FENCED_INSTANCE_ID).
 * - The response waits for the rebalance to complete; the leader receives every member's metadata
 *   for the protocol chosen by vote among those all members support.
 * - Errors: INVALID_GROUP_ID (empty id), INVALID_SESSION_TIMEOUT (outside
 *   `group.min/max.session.timeout.ms`), INCONSISTENT_GROUP_PROTOCOL (another protocol type, or no
 *   protocol in common), UNKNOWN_MEMBER_ID, GROUP_MAX_SIZE_REACHED, COORDINATOR_NOT_AVAILABLE.
 * - v0 has no rebalance timeout: the session timeout serves as one, as in Kafka. v7+ answer the
 *   protocol type and a nullable protocol name; v8+ carry a reason (logged); v9 may tell a static
 *   leader to skip the assignment.
 * With ACLs, needs Read on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode, JoinGroupApi, type Input, type JoinGroupResponse } from '@tributary/protocol'
import { clientHostOf } from '../groups/client-host.js'
import type { JoinResult } from '../groups/member.js'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const joinGroupHandler = defineHandler({
  api: JoinGroupApi,
  minVersion: 0,
  maxVersion: JoinGroupApi.maxVersion,

  async handle(request, ctx) {
    const v = ctx.apiVersion
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return failed(request.memberId, ErrorCode.GROUP_AUTHORIZATION_FAILED, v)
    const groupInstanceId = v >= 5 ? request.groupInstanceId : null
    const result = await ctx.broker.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId,
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx.connection.remoteAddress),
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: v >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      // Copies: the decoded bytes are views into the request frame, and members outlive it.
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      requireKnownMemberId: v >= 4 && groupInstanceId === null,
      supportSkippingAssignment: v >= 9,
      reason: v >= 8 ? request.reason : null,
    })
    return toResponse(result, v)
  },

  errorResponse(request, errorCode, ctx) {
    return failed(request.memberId, errorCode, ctx.apiVersion)
  },
})

function failed(memberId: string, errorCode: number, v: number): Input<JoinGroupResponse> {
  return { errorCode, generationId: -1, protocolName: v >= 7 ? null : '', leader: '', memberId, members: [] }
}

function toResponse(r: JoinResult, v: number): Input<JoinGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    skipAssignment: v >= 9 && r.skipAssignment,
    memberId: r.memberId,
    members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  }
}

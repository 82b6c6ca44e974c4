/**
 * DeleteGroups (API key 42), versions 0-2.
 *
 * Deletes empty groups: their committed offsets and metadata are removed from
 * `__consumer_offsets` (tombstones) and they become Dead. Per group: NON_EMPTY_GROUP while it has
 * members, GROUP_ID_NOT_FOUND for a group this coordinator does not know,
 * COORDINATOR_NOT_AVAILABLE once shutdown began; with ACLs, GROUP_AUTHORIZATION_FAILED without
 * Delete on the group.
 */
import { DeleteGroupsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { defineHandler } from './handler.js'

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: DeleteGroupsApi.maxVersion,

  handle(request, ctx) {
    const allowed = request.groupsNames.map((groupId) => authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, groupId))
    const deleted = ctx.broker.groups.deleteGroups(request.groupsNames.filter((_, i) => allowed[i]))
    let next = 0
    const results = request.groupsNames.map((groupId, i) => (allowed[i] ? deleted[next++]! : { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))
    return { throttleTimeMs: 0, results }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }
  },
})

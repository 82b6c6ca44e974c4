/**
 * DeleteGroups (API key 42), versions 0-2.
 *
 * Deletes empty groups: their committed offsets and metadata are removed from
 * `__consumer_offsets` (tombstones) and they become Dead. Per group: NON_EMPTY_GROUP while it has
 * members, GROUP_ID_NOT_FOUND for a group this coordinator does not know,
 * COORDINATOR_NOT_AVAILABLE once shutdown began.
 */
import { DeleteGroupsApi } from '@tributary/protocol'
import { defineHandler } from './handler.js'

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: DeleteGroupsApi.maxVersion,

  handle(request, ctx) {
    return { throttleTimeMs: 0, results: ctx.broker.groups.deleteGroups(request.groupsNames) }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }
  },
})

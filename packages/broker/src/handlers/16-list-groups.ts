/**
 * ListGroups (API key 16), versions 0-5.
 *
 * Lists every group this coordinator knows with its protocol type ("consumer" for Kafka
 * consumers, "" for groups that only store offsets); v4+ add the state and may filter by state
 * names (case-insensitive); v5+ add the group type, always "classic", and may filter by type
 * (a filter without "classic" lists nothing). With ACLs, a principal without Describe on the
 * cluster sees only the groups it may Describe.
 */
import { ListGroupsApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, authorizeCluster } from '../security/access.js'
import { defineHandler } from './handler.js'

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: ListGroupsApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const { errorCode, groups } = ctx.broker.groups.listGroups(v >= 4 ? request.statesFilter : [], v >= 5 ? request.typesFilter : [])
    const visible = authorizeCluster(ctx, AclOperation.DESCRIBE, false) ? groups : groups.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId, false))
    return { throttleTimeMs: 0, errorCode, groups: visible }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] }
  },
})

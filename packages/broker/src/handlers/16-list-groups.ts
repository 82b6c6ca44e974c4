/**
 * ListGroups (API key 16), versions 0-5.
 *
 * Lists every group this coordinator knows with its protocol type ("consumer" for Kafka
 * consumers, "" for groups that only store offsets); v4+ add the state and may filter by state
 * names (case-insensitive); v5+ add the group type, always "classic", and may filter by type
 * (a filter without "classic" lists nothing).
 */
import { ListGroupsApi } from '@tributary/protocol'
import { defineHandler } from './handler.js'

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: ListGroupsApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const { errorCode, groups } = ctx.broker.groups.listGroups(v >= 4 ? request.statesFilter : [], v >= 5 ? request.typesFilter : [])
    return { throttleTimeMs: 0, errorCode, groups }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] }
  },
})

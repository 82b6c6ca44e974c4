/**
 * DescribeGroups (API key 15), versions 0-5.
 *
 * Describes each group: its state by Kafka's names ("Empty", "PreparingRebalance",
 * "CompletingRebalance", "Stable", "Dead"), protocol type, the chosen protocol and every member's
 * metadata and assignment while Stable (other states list members without them), and v4+ members'
 * group instance ids. An unknown group is "Dead" with no members and no error, as Kafka answers up
 * to v5. v3+ report the authorized operations when asked: every group operation (READ, DELETE,
 * DESCRIBE), there being no ACLs.
 */
import { DescribeGroupsApi } from '@tributary/protocol'
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js'
import { defineHandler } from './handler.js'

/** READ (3), DELETE (6) and DESCRIBE (8): the ACL operations a group has. */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8)

export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: DescribeGroupsApi.maxVersion,

  handle(request, ctx) {
    const operations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations ? ALL_GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ ...ctx.broker.groups.describeGroup(groupId), authorizedOperations: operations })),
    }
  },

  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED })),
    }
  },
})

/**
 * DescribeGroups (API key 15), versions 0-5.
 *
 * Describes each group: its state by Kafka's names ("Empty", "PreparingRebalance",
 * "CompletingRebalance", "Stable", "Dead"), protocol type, the chosen protocol and every member's
 * metadata and assignment while Stable (other states list members without them), and v4+ members'
 * group instance ids. An unknown group is "Dead" with no members and no error, as Kafka answers up
 * to v5. v3+ report the authorized operations when asked, from the ACLs (every group operation,
 * READ, DELETE and DESCRIBE, when the authorizer is off). With ACLs, a group the principal may not
 * Describe answers GROUP_AUTHORIZATION_FAILED.
 */
import { DescribeGroupsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, authorizedOperations } from '../security/access.js'
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js'
import { defineHandler } from './handler.js'

export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: DescribeGroupsApi.maxVersion,

  handle(request, ctx) {
    const withOps = ctx.apiVersion >= 3 && request.includeAuthorizedOperations
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return failed(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED)
        const operations = withOps ? authorizedOperations(ctx, ResourceType.GROUP, groupId) : OPERATIONS_NOT_REQUESTED
        return { ...ctx.broker.groups.describeGroup(groupId), authorizedOperations: operations }
      }),
    }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, groups: request.groups.map((groupId) => failed(groupId, errorCode)) }
  },
})

function failed(groupId: string, errorCode: number) {
  return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED }
}

/**
 * DeleteAcls (API key 31), versions 0-3.
 *
 * Removes every ACL matching each filter (same matching as DescribeAcls) and answers, per filter,
 * the ACLs it removed; an ACL matching two filters is listed under both. The change is persisted
 * in the data directory before the answer. Needs Alter on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED); without an authorizer, SECURITY_DISABLED; a malformed filter
 * answers INVALID_REQUEST for that filter and removes nothing for it.
 */
import { DeleteAclsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation } from '../security/access.js'
import { invalidFilter, refuseAclRequest } from '../security/acl-requests.js'
import { describeBinding, type AclFilter } from '../security/acl-types.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler } from './handler.js'

export const deleteAclsHandler = defineHandler({
  api: DeleteAclsApi,
  minVersion: 0,
  maxVersion: DeleteAclsApi.maxVersion,

  handle(request, ctx) {
    const refusal = refuseAclRequest(ctx, AclOperation.ALTER)
    if (refusal) return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ ...refusal, matchingAcls: [] })) }
    const filters: AclFilter[] = request.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }))
    const problems = filters.map(invalidFilter)
    let removed: ReturnType<typeof ctx.broker.security.acls.remove>
    try {
      removed = ctx.broker.security.acls.remove(filters.filter((_, i) => problems[i] === undefined))
    } catch (err) {
      const failed = { errorCode: errorCodeOf(err, ctx, 'removing ACLs'), errorMessage: errorMessageOf(err), matchingAcls: [] }
      return { throttleTimeMs: 0, filterResults: filters.map((_, i) => (problems[i] === undefined ? failed : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problems[i]!, matchingAcls: [] })) }
    }
    const gone = removed.flat()
    if (gone.length > 0) ctx.broker.logger.info(`removed ${new Set(gone).size} ACL(s): ${[...new Set(gone)].map(describeBinding).join('; ')} (DeleteAcls from client ${JSON.stringify(ctx.clientId)})`)
    let next = 0
    const filterResults = problems.map((problem) => {
      if (problem !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] }
      const matchingAcls = removed[next++]!.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...b }))
      return { errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls }
    })
    return { throttleTimeMs: 0, filterResults }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) }
  },
})

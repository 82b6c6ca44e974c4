/**
 * DescribeAcls (API key 29), versions 0-3.
 *
 * Lists the ACLs matching a filter, grouped by resource pattern. Null names and the ANY codes
 * match everything; pattern type MATCH (v1+) finds every ACL that applies to the named resource
 * (its literal name, the `*` wildcard, and prefixes of the name); v0 filters are literal. Needs
 * Describe on the cluster (CLUSTER_AUTHORIZATION_FAILED); without an authorizer, SECURITY_DISABLED;
 * a filter with an UNKNOWN code, INVALID_REQUEST.
 */
import { DescribeAclsApi, ErrorCode, type DescribeAclsResponseDescribeAclsResource, type Input } from '@tributary/protocol'
import { AclOperation } from '../security/access.js'
import { invalidFilter, refuseAclRequest } from '../security/acl-requests.js'
import type { AclBinding } from '../security/acl-types.js'
import { defineHandler } from './handler.js'

export const describeAclsHandler = defineHandler({
  api: DescribeAclsApi,
  minVersion: 0,
  maxVersion: DescribeAclsApi.maxVersion,

  handle(request, ctx) {
    const refusal = refuseAclRequest(ctx, AclOperation.DESCRIBE)
    if (refusal) return { throttleTimeMs: 0, ...refusal, resources: [] }
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    }
    const problem = invalidFilter(filter)
    if (problem) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, resources: [] }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: byResource(ctx.broker.security.acls.find(filter)) }
  },

  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, resources: [] }
  },
})

function byResource(bindings: readonly AclBinding[]): Input<DescribeAclsResponseDescribeAclsResource>[] {
  const out = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>()
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType])
    let entry = out.get(key)
    if (!entry) {
      entry = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }
      out.set(key, entry)
    }
    entry.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })
  }
  return [...out.values()]
}

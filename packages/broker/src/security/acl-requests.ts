import { isIP } from 'node:net'
import { ErrorCode } from '@tributary/protocol'
import type { RequestContext } from '../handlers/handler.js'
import { authorizeCluster } from './access.js'
import { ACL_RESOURCE_TYPES, AclOperation, CLUSTER_RESOURCE_NAME, PatternType, PermissionType, ResourceType, WILDCARD_HOST, resourceTypeName, type AclBinding, type AclFilter } from './acl-types.js'

/**
 * What CreateAcls, DescribeAcls and DeleteAcls share: the checks before they touch the ACLs
 * (authorizer on, the caller allowed on the cluster) and the validation of bindings and filters.
 */

/** A request-level refusal: SECURITY_DISABLED without an authorizer, CLUSTER_AUTHORIZATION_FAILED without the right. */
export interface AclRefusal {
  errorCode: number
  errorMessage: string
}

/**
 * Refuses ACL requests when authorization is off (SECURITY_DISABLED, as Kafka answers without an
 * authorizer), or when the principal lacks `operation` (Alter to change ACLs, Describe to list them)
 * on the cluster.
 */
export function refuseAclRequest(ctx: RequestContext, operation: number): AclRefusal | undefined {
  if (!ctx.broker.security.authorizer.enabled) {
    return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No authorizer is configured on the broker; start it with authorizer: true (authorizer.enabled=true) to use ACLs' }
  }
  if (!authorizeCluster(ctx, operation)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: `Changing or listing ACLs needs ${operation === AclOperation.ALTER ? 'Alter' : 'Describe'} on the cluster` }
  return undefined
}

const PRINCIPAL = /^User:.+$/

/** Why an ACL may not be created (the message for INVALID_REQUEST), or undefined when it is valid. */
export function invalidBinding(b: AclBinding): string | undefined {
  if (!ACL_RESOURCE_TYPES.has(b.resourceType)) return `Resource type ${b.resourceType} is not one an ACL can name (topic 2, group 3, cluster 4, transactional id 5, delegation token 6, user 7)`
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Pattern type ${b.patternType} is not one an ACL can have (literal 3, prefixed 4)`
  if (b.resourceName === '') return 'The resource name is empty'
  if (b.resourceType === ResourceType.CLUSTER && (b.resourceName !== CLUSTER_RESOURCE_NAME || b.patternType !== PatternType.LITERAL)) {
    return `The cluster resource is named ${CLUSTER_RESOURCE_NAME} (literal), not ${JSON.stringify(b.resourceName)}`
  }
  if (b.operation <= AclOperation.ANY || b.operation > AclOperation.DESCRIBE_TOKENS) return `Operation ${b.operation} is not one an ACL can grant`
  if (b.permissionType !== PermissionType.ALLOW && b.permissionType !== PermissionType.DENY) return `Permission type ${b.permissionType} is neither allow (3) nor deny (2)`
  if (!PRINCIPAL.test(b.principal)) return `Principal ${JSON.stringify(b.principal)} is not of the form User:<name> (User:* for everyone)`
  if (b.host !== WILDCARD_HOST && isIP(b.host) === 0) return `Host ${JSON.stringify(b.host)} is neither an IP address nor * (ACLs match client IP addresses)`
  if (b.resourceType !== ResourceType.CLUSTER && b.operation === AclOperation.CLUSTER_ACTION) return `ClusterAction applies to the cluster, not to a ${resourceTypeName(b.resourceType)}`
  return undefined
}

/** Why a filter is malformed (the message for INVALID_REQUEST), or undefined when it is valid. */
export function invalidFilter(f: AclFilter): string | undefined {
  if (f.resourceType === ResourceType.UNKNOWN || f.resourceType > ResourceType.USER || f.resourceType < 0) return `Resource type filter ${f.resourceType} is unknown`
  if (f.patternType === PatternType.UNKNOWN || f.patternType > PatternType.PREFIXED || f.patternType < 0) return `Pattern type filter ${f.patternType} is unknown`
  if (f.operation === AclOperation.UNKNOWN || f.operation > AclOperation.DESCRIBE_TOKENS || f.operation < 0) return `Operation filter ${f.operation} is unknown`
  if (f.permissionType === PermissionType.UNKNOWN || f.permissionType > PermissionType.ALLOW || f.permissionType < 0) return `Permission type filter ${f.permissionType} is unknown`
  return undefined
}

/**
 * CreateAcls (API key 30), versions 0-3.
 *
 * Adds ACLs (see `security/acl-store.ts`; persisted in the data directory). Needs Alter on the
 * cluster (CLUSTER_AUTHORIZATION_FAILED otherwise); without an authorizer every creation answers
 * SECURITY_DISABLED, as Kafka's broker does. Per creation: INVALID_REQUEST for an ACL that cannot
 * exist (unknown resource, pattern, operation or permission type, a principal other than
 * `User:<name>`, a host that is neither an IP address nor `*`, a cluster resource not named
 * `kafka-cluster`); an ACL that already exists is kept once and answers NONE. v0 has no pattern
 * type: its ACLs are literal.
 */
import { CreateAclsApi, ErrorCode } from '@tributary/protocol'
import { AclOperation } from '../security/access.js'
import { invalidBinding, refuseAclRequest } from '../security/acl-requests.js'
import { describeBinding, type AclBinding } from '../security/acl-types.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler } from './handler.js'

export const createAclsHandler = defineHandler({
  api: CreateAclsApi,
  minVersion: 0,
  maxVersion: CreateAclsApi.maxVersion,

  handle(request, ctx) {
    const refusal = refuseAclRequest(ctx, AclOperation.ALTER)
    if (refusal) return { throttleTimeMs: 0, results: request.creations.map(() => refusal) }
    const bindings: AclBinding[] = request.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }))
    const problems = bindings.map(invalidBinding)
    const valid = bindings.filter((_, i) => problems[i] === undefined)
    let stored: { errorCode: number; errorMessage: string | null } = { errorCode: ErrorCode.NONE, errorMessage: null }
    try {
      const added = ctx.broker.security.acls.add(valid)
      if (added > 0) ctx.broker.logger.info(`added ${added} ACL(s): ${valid.map(describeBinding).join('; ')} (CreateAcls from client ${JSON.stringify(ctx.clientId)})`)
    } catch (err) {
      stored = { errorCode: errorCodeOf(err, ctx, 'storing ACLs'), errorMessage: errorMessageOf(err) }
    }
    const results = problems.map((problem) => (problem === undefined ? stored : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem }))
    return { throttleTimeMs: 0, results }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) }
  },
})

// What AlterConfigs and IncrementalAlterConfigs share: per-resource answers, and applying the
// operations to a topic or to this broker.
import { ErrorCode } from '@tributary/protocol'
import type { ConfigOp } from '../log/config-ops.js'
import { ResourceType, alterBroker, checkBrokerResource, describeOps } from '../server/config-descriptions.js'
import { AclOperation, checkConfigAccess } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import type { RequestContext } from './handler.js'

interface ConfigResource {
  resourceType: number
  resourceName: string
}

/** One resource's answer in either API's response. */
export interface ResourceAnswer {
  resourceType: number
  resourceName: string
  errorCode: number
  errorMessage: string | null
}

/** The resources that a request names more than once (by type and name); Kafka rejects each of them. */
export function duplicateResources<R extends ConfigResource>(resources: readonly R[]): Set<R> {
  const seen = new Map<string, R[]>()
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`
    seen.set(key, [...(seen.get(key) ?? []), r])
  }
  return new Set([...seen.values()].filter((group) => group.length > 1).flat())
}

/**
 * Alters each resource with `alter` and answers for each: INVALID_REQUEST for a resource named more
 * than once, else the error `alter` threw (after checking the caller may alter its configs), or NONE.
 */
export function alterEachResource<R extends ConfigResource>(resources: readonly R[], ctx: RequestContext, alter: (r: R) => void): ResourceAnswer[] {
  const duplicates = duplicateResources(resources)
  return resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName }
    if (duplicates.has(r)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The resource appears more than once in the request' }
    try {
      checkConfigAccess(ctx, r.resourceType, r.resourceName, AclOperation.ALTER_CONFIGS)
      alter(r)
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null }
    } catch (err) {
      return { ...base, errorCode: errorCodeOf(err, ctx, `altering configs of ${r.resourceName}`), errorMessage: errorMessageOf(err) }
    }
  })
}

/** The same error for every resource of a request (the request as a whole failed). */
export function everyResourceFailed(resources: readonly ConfigResource[], errorCode: number): { throttleTimeMs: number; responses: ResourceAnswer[] } {
  return { throttleTimeMs: 0, responses: resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) }
}

/**
 * Applies `ops` to a topic's overrides or to this broker's runtime topic defaults; `replace` drops
 * the overrides not listed (AlterConfigs), else they apply one by one (IncrementalAlterConfigs).
 * @throws INVALID_REQUEST for another resource type; the log's or broker's errors otherwise.
 */
export function applyConfigOps(ctx: RequestContext, r: ConfigResource, ops: ConfigOp[], how: { replace: boolean; validateOnly: boolean; api: string }): void {
  if (r.resourceType === ResourceType.TOPIC) {
    ctx.broker.logs.alterTopicConfigs(r.resourceName, ops, { replace: how.replace, validateOnly: how.validateOnly })
    if (!how.validateOnly) {
      ctx.broker.logger.info(`${how.replace ? 'replaced' : 'changed'} configs of topic ${r.resourceName}: ${describeOps(ops)} (${how.api} from client ${JSON.stringify(ctx.clientId)})`)
    }
  } else if (r.resourceType === ResourceType.BROKER) {
    checkBrokerResource(ctx.broker, r.resourceName)
    alterBroker(ctx.broker, ops, { replace: how.replace, validateOnly: how.validateOnly })
  } else {
    throw requestError('INVALID_REQUEST', `Resource type ${r.resourceType} cannot be altered by this broker; use topic (2) or broker (4)`)
  }
}

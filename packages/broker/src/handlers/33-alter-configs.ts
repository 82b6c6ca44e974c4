/**
 * AlterConfigs (API key 33), versions 0-2: the legacy, non-incremental form.
 *
 * Behaviour, per resource: the given configs replace every existing override of the resource
 * (configs not listed return to their defaults).
 * - Topic (type 2): topic config names; UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG (unknown name,
 *   bad or null value).
 * - Broker (type 4), named by this node's id or "": the runtime topic defaults under their broker
 *   names; start-up settings are read-only (INVALID_REQUEST).
 * - Other resource types, and a resource named twice, answer INVALID_REQUEST.
 * Everything is validated before anything changes; `validateOnly` changes nothing.
 * With ACLs: AlterConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or the cluster, for the broker
 * resource (CLUSTER_AUTHORIZATION_FAILED).
 */
import { AlterConfigsApi, ErrorCode, type AlterConfigsRequestAlterConfigsResource, type AlterConfigsResponseAlterConfigsResourceResponse, type Input } from '@tributary/protocol'
import type { ConfigOp } from '../log/config-ops.js'
import { ResourceType, alterBroker, checkBrokerResource, describeOps } from '../server/config-descriptions.js'
import { duplicateResources } from './config-resources.js'
import { AclOperation, checkConfigAccess } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type ResourceResult = Input<AlterConfigsResponseAlterConfigsResourceResponse>

export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: AlterConfigsApi.maxVersion,

  handle(request, ctx) {
    const duplicates = duplicateResources(request.resources)
    const responses = request.resources.map((r): ResourceResult => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName }
      if (duplicates.has(r)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The resource appears more than once in the request' }
      try {
        alter(r, request.validateOnly, ctx)
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null }
      } catch (err) {
        return { ...base, errorCode: errorCodeOf(err, ctx, `altering configs of ${r.resourceName}`), errorMessage: errorMessageOf(err) }
      }
    })
    return { throttleTimeMs: 0, responses }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) }
  },
})

function alter(r: AlterConfigsRequestAlterConfigsResource, validateOnly: boolean, ctx: RequestContext): void {
  checkConfigAccess(ctx, r.resourceType, r.resourceName, AclOperation.ALTER_CONFIGS)
  const ops: ConfigOp[] = r.configs.map((c) => {
    if (c.value === null) throw requestError('INVALID_CONFIG', `Null value not supported for config ${c.name}`)
    return { name: c.name, op: 'set', value: c.value }
  })
  if (r.resourceType === ResourceType.TOPIC) {
    ctx.broker.logs.alterTopicConfigs(r.resourceName, ops, { replace: true, validateOnly })
    if (!validateOnly) ctx.broker.logger.info(`replaced configs of topic ${r.resourceName}: ${describeOps(ops)} (AlterConfigs from client ${JSON.stringify(ctx.clientId)})`)
  } else if (r.resourceType === ResourceType.BROKER) {
    checkBrokerResource(ctx.broker, r.resourceName)
    alterBroker(ctx.broker, ops, { replace: true, validateOnly })
  } else {
    throw requestError('INVALID_REQUEST', `Resource type ${r.resourceType} cannot be altered by this broker; use topic (2) or broker (4)`)
  }
}

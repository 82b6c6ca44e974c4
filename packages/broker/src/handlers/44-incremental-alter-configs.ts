/**
 * IncrementalAlterConfigs (API key 44), versions 0-1.
 *
 * Behaviour, per resource: operations apply one by one to the current overrides: SET (0), DELETE
 * (1, back to the default), APPEND (2) and SUBTRACT (3) for list configs such as `cleanup.policy`.
 * - Topic (type 2): topic config names; UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG (unknown name,
 *   bad value, APPEND/SUBTRACT on a non-list).
 * - Broker (type 4), named by this node's id or "": the runtime topic defaults under their broker
 *   names; start-up settings are read-only (INVALID_REQUEST).
 * - An unknown operation, a config named twice in one resource, a resource named twice, or another
 *   resource type answers INVALID_REQUEST.
 * Everything is validated before anything changes; `validateOnly` changes nothing.
 * With ACLs: AlterConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or the cluster, for the broker
 * resource (CLUSTER_AUTHORIZATION_FAILED).
 */
import { ErrorCode, IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequestAlterConfigsResource, type IncrementalAlterConfigsResponseAlterConfigsResourceResponse, type Input } from '@tributary/protocol'
import type { ConfigOp } from '../log/config-ops.js'
import { ResourceType, alterBroker, checkBrokerResource, describeOps } from '../server/config-descriptions.js'
import { duplicateResources } from './config-resources.js'
import { AclOperation, checkConfigAccess } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type ResourceResult = Input<IncrementalAlterConfigsResponseAlterConfigsResourceResponse>

const OPERATIONS: readonly ConfigOp['op'][] = ['set', 'delete', 'append', 'subtract']

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: IncrementalAlterConfigsApi.maxVersion,

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

function alter(r: IncrementalAlterConfigsRequestAlterConfigsResource, validateOnly: boolean, ctx: RequestContext): void {
  checkConfigAccess(ctx, r.resourceType, r.resourceName, AclOperation.ALTER_CONFIGS)
  const names = new Set<string>()
  const ops = r.configs.map((c): ConfigOp => {
    const op = OPERATIONS[c.configOperation]
    if (op === undefined) throw requestError('INVALID_REQUEST', `Unknown config operation ${c.configOperation} for ${c.name}; expected 0 (SET), 1 (DELETE), 2 (APPEND) or 3 (SUBTRACT)`)
    if (names.has(c.name)) throw requestError('INVALID_REQUEST', `Config ${c.name} appears more than once for resource ${r.resourceName}`)
    names.add(c.name)
    return { name: c.name, op, value: c.value }
  })
  if (r.resourceType === ResourceType.TOPIC) {
    ctx.broker.logs.alterTopicConfigs(r.resourceName, ops, { validateOnly })
    if (!validateOnly) ctx.broker.logger.info(`changed configs of topic ${r.resourceName}: ${describeOps(ops)} (IncrementalAlterConfigs from client ${JSON.stringify(ctx.clientId)})`)
  } else if (r.resourceType === ResourceType.BROKER) {
    checkBrokerResource(ctx.broker, r.resourceName)
    alterBroker(ctx.broker, ops, { replace: false, validateOnly })
  } else {
    throw requestError('INVALID_REQUEST', `Resource type ${r.resourceType} cannot be altered by this broker; use topic (2) or broker (4)`)
  }
}

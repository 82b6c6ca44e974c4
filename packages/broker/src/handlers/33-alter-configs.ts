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
import { AlterConfigsApi, type AlterConfigsRequestAlterConfigsResource } from '@tributary/protocol'
import type { ConfigOp } from '../log/config-ops.js'
import { alterEachResource, applyConfigOps, everyResourceFailed } from './config-resources.js'
import { requestError } from './errors.js'
import { defineHandler } from './handler.js'

export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: AlterConfigsApi.maxVersion,

  handle(request, ctx) {
    const responses = alterEachResource(request.resources, ctx, (r) => applyConfigOps(ctx, r, opsOf(r), { replace: true, validateOnly: request.validateOnly, api: 'AlterConfigs' }))
    return { throttleTimeMs: 0, responses }
  },

  errorResponse: (request, errorCode) => everyResourceFailed(request.resources, errorCode),
})

/** The resource's configs as SET operations (the others go back to their defaults). */
function opsOf(r: AlterConfigsRequestAlterConfigsResource): ConfigOp[] {
  return r.configs.map((c) => {
    if (c.value === null) throw requestError('INVALID_CONFIG', `Null value not supported for config ${c.name}`)
    return { name: c.name, op: 'set', value: c.value }
  })
}

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
import { IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequestAlterConfigsResource } from '@tributary/protocol'
import type { ConfigOp } from '../log/config-ops.js'
import { alterEachResource, applyConfigOps, everyResourceFailed } from './config-resources.js'
import { requestError } from './errors.js'
import { defineHandler } from './handler.js'

const OPERATIONS: readonly ConfigOp['op'][] = ['set', 'delete', 'append', 'subtract']

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: IncrementalAlterConfigsApi.maxVersion,

  handle(request, ctx) {
    const responses = alterEachResource(request.resources, ctx, (r) =>
      applyConfigOps(ctx, r, opsOf(r), { replace: false, validateOnly: request.validateOnly, api: 'IncrementalAlterConfigs' }),
    )
    return { throttleTimeMs: 0, responses }
  },

  errorResponse: (request, errorCode) => everyResourceFailed(request.resources, errorCode),
})

/** The resource's operations; an unknown one, or a config named twice, is INVALID_REQUEST. */
function opsOf(r: IncrementalAlterConfigsRequestAlterConfigsResource): ConfigOp[] {
  const names = new Set<string>()
  return r.configs.map((c): ConfigOp => {
    const op = OPERATIONS[c.configOperation]
    if (op === undefined) throw requestError('INVALID_REQUEST', `Unknown config operation ${c.configOperation} for ${c.name}; expected 0 (SET), 1 (DELETE), 2 (APPEND) or 3 (SUBTRACT)`)
    if (names.has(c.name)) throw requestError('INVALID_REQUEST', `Config ${c.name} appears more than once for resource ${r.resourceName}`)
    names.add(c.name)
    return { name: c.name, op, value: c.value }
  })
}

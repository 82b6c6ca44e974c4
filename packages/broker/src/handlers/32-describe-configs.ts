/**
 * DescribeConfigs (API key 32), versions 0-4.
 *
 * Resources:
 * - Topic (type 2): every topic config with its effective value and source (topic override,
 *   dynamic or static broker default, Kafka's default). UNKNOWN_TOPIC_OR_PARTITION for unknown topics.
 * - Broker (type 4), named by this node's id: the topic defaults under their broker names (changeable
 *   at runtime) and the start-up settings (read-only). Named "": only the cluster-wide dynamic
 *   defaults. Another broker id answers INVALID_REQUEST.
 * - Other resource types answer INVALID_REQUEST.
 * `configurationKeys` (null for all) filters by name; synonyms (v1+, when asked) list where a value
 * could come from, most specific first; config types and documentation are answered in v3+ (the
 * latter when asked). v0 reports `isDefault` instead of a source.
 * With ACLs: DescribeConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or the cluster, for the
 * broker resource (CLUSTER_AUTHORIZATION_FAILED).
 */
import { DescribeConfigsApi, ErrorCode, type DescribeConfigsRequestDescribeConfigsResource, type DescribeConfigsResponseDescribeConfigsResult, type Input } from '@tributary/protocol'
import { ConfigSource, ResourceType, checkBrokerResource, describeBroker, describeTopic, type DescribedConfig } from '../server/config-descriptions.js'
import { AclOperation, checkConfigAccess } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type ResourceResult = Input<DescribeConfigsResponseDescribeConfigsResult>

export const describeConfigsHandler = defineHandler({
  api: DescribeConfigsApi,
  minVersion: 0,
  maxVersion: DescribeConfigsApi.maxVersion,

  handle(request, ctx) {
    const options = { synonyms: request.includeSynonyms, documentation: request.includeDocumentation }
    return { throttleTimeMs: 0, results: request.resources.map((r) => describe(r, options, ctx)) }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) }
  },
})

function describe(r: DescribeConfigsRequestDescribeConfigsResource, options: { synonyms: boolean; documentation: boolean }, ctx: RequestContext): ResourceResult {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName }
  try {
    checkConfigAccess(ctx, r.resourceType, r.resourceName, AclOperation.DESCRIBE_CONFIGS)
    let configs: DescribedConfig[]
    if (r.resourceType === ResourceType.TOPIC) configs = describeTopic(ctx.broker, r.resourceName)
    else if (r.resourceType === ResourceType.BROKER) configs = describeBroker(ctx.broker, checkBrokerResource(ctx.broker, r.resourceName))
    else throw requestError('INVALID_REQUEST', `Resource type ${r.resourceType} cannot be described by this broker; use topic (2) or broker (4)`)
    const keys = r.configurationKeys === null ? undefined : new Set(r.configurationKeys)
    const wanted = keys ? configs.filter((c) => keys.has(c.name)) : configs
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: wanted.map((c) => entry(c, options, ctx.apiVersion)) }
  } catch (err) {
    return { ...base, errorCode: errorCodeOf(err, ctx, `describing configs of ${r.resourceName}`), errorMessage: errorMessageOf(err), configs: [] }
  }
}

function entry(c: DescribedConfig, options: { synonyms: boolean; documentation: boolean }, v: number) {
  // isDefault exists only in v0; the codec refuses it elsewhere.
  const common = { name: c.name, value: c.value, readOnly: c.readOnly, isSensitive: false }
  if (v === 0) return { ...common, isDefault: c.source === ConfigSource.DEFAULT_CONFIG }
  return {
    ...common,
    configSource: c.source,
    synonyms: options.synonyms ? c.synonyms : [],
    configType: c.type,
    documentation: options.documentation ? c.documentation : null,
  }
}

/**
 * Authorization as handlers use it: one call per check, answering whether the request's principal
 * may perform an operation on a resource, with a log line for each refusal. When the authorizer
 * is off every check passes at once.
 *
 * @example
 * ```ts
 * if (!authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, topic)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
 * ```
 */
import { requestError } from '../handlers/errors.js'
import type { RequestContext } from '../handlers/handler.js'
import type { BrokerEndpoint } from '../server/broker-context.js'
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType, operationName, resourceTypeName } from './acl-types.js'
import { requesterOf, sessionOf } from './session.js'

export { AclOperation, ResourceType } from './acl-types.js'

/** Config resource types (DescribeConfigs and the alter APIs), which differ from ACL resource types. */
const CONFIG_TOPIC = 2
const CONFIG_BROKER = 4

/**
 * Whether the request's principal may perform `operation` on the resource. A refusal is logged
 * (info) unless `logDenied` is false, as for Metadata's silent filtering of topics.
 */
export function authorize(ctx: RequestContext, operation: number, resourceType: number, name: string, logDenied = true): boolean {
  const authorizer = ctx.broker.security.authorizer
  if (!authorizer.enabled) return true
  const who = requesterOf(ctx)
  const allowed = authorizer.authorize(who, operation, resourceType, name)
  if (!allowed && logDenied) {
    ctx.broker.logger.info(
      `connection ${ctx.connection.id}: denied ${who.principal} from ${who.host} ${operationName(operation)} on ${resourceTypeName(resourceType)}:${name} (client ${JSON.stringify(ctx.clientId)}, correlation id ${ctx.correlationId})`,
    )
  }
  return allowed
}

/** {@link authorize} on the cluster resource. */
export function authorizeCluster(ctx: RequestContext, operation: number, logDenied = true): boolean {
  return authorize(ctx, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, logDenied)
}

/**
 * Whether the principal may create the topic: Create on the cluster, or else on the topic, as
 * Kafka checks for CreateTopics and auto-creation.
 */
export function authorizeTopicCreation(ctx: RequestContext, topic: string): boolean {
  return authorizeCluster(ctx, AclOperation.CREATE, false) || authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, topic)
}

/**
 * An idempotent producer's right to a producer id: IdempotentWrite on the cluster, or Write on at
 * least one topic (KIP-679), as Kafka checks InitProducerId without a transactional id.
 */
export function authorizeIdempotentWrite(ctx: RequestContext): boolean {
  const authorizer = ctx.broker.security.authorizer
  if (authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE, false)) return true
  if (authorizer.authorizeAnyOfType(requesterOf(ctx), AclOperation.WRITE, ResourceType.TOPIC)) return true
  return authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE)
}

/**
 * The authorized-operations bit field of a resource for the request's principal: every operation
 * of the resource type when the authorizer is off.
 */
export function authorizedOperations(ctx: RequestContext, resourceType: number, name: string): number {
  return ctx.broker.security.authorizer.authorizedOperations(requesterOf(ctx), resourceType, name)
}

/**
 * The cluster's authorized operations, as Metadata and DescribeCluster report them when asked: 0
 * when the principal may not even Describe the cluster, as Kafka answers.
 */
export function clusterAuthorizedOperations(ctx: RequestContext): number {
  return authorizeCluster(ctx, AclOperation.DESCRIBE, false) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME) : 0
}

/**
 * This broker as the request's listener advertises it (Kafka answers by listener name, so that a
 * client that came in through a TLS listener is pointed at the TLS port).
 */
export function endpointFor(ctx: RequestContext): BrokerEndpoint {
  const listener = sessionOf(ctx.connection)?.listener
  if (!listener) return ctx.broker.endpoint
  return { nodeId: ctx.broker.nodeId, host: listener.advertisedHost, port: listener.advertisedPort }
}

/** A check of `operation` on topics, remembered per topic name for the rest of the request. */
export function topicAuthorizer(ctx: RequestContext, operation: number, logDenied = true): (topic: string) => boolean {
  const verdicts = new Map<string, boolean>()
  return (topic) => {
    let allowed = verdicts.get(topic)
    if (allowed === undefined) {
      allowed = authorize(ctx, operation, ResourceType.TOPIC, topic, logDenied)
      verdicts.set(topic, allowed)
    }
    return allowed
  }
}

/**
 * Checks the principal's right to a config resource: `operation` (DescribeConfigs or AlterConfigs)
 * on the topic for topic resources (type 2), on the cluster for the broker resource (type 4).
 * Other resource types are left to the handler, which refuses them.
 *
 * @throws RequestError TOPIC_AUTHORIZATION_FAILED or CLUSTER_AUTHORIZATION_FAILED.
 */
export function checkConfigAccess(ctx: RequestContext, configResourceType: number, name: string, operation: number): void {
  const what = operationName(operation)
  if (configResourceType === CONFIG_TOPIC && !authorize(ctx, operation, ResourceType.TOPIC, name)) throw requestError('TOPIC_AUTHORIZATION_FAILED', `Not authorized to ${what} topic ${name}`)
  if (configResourceType === CONFIG_BROKER && !authorizeCluster(ctx, operation)) throw requestError('CLUSTER_AUTHORIZATION_FAILED', `Not authorized to ${what} the broker`)
}

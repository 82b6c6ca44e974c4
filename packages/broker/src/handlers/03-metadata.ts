/**
 * Metadata (API key 3), versions 0-12.
 *
 * Behaviour:
 * - Brokers: this one, at its advertised host and port, no rack. Controller: this node. Cluster id.
 * - Topics: all (null list, or an empty list in v0), or the listed ones by name, or by id (v10+).
 *   Every partition is led by this node with leader epoch 0, and replicas = ISR = [this node].
 * - An unknown topic is created with the default partition count when `auto.create.topics.enable`
 *   is on and the request allows it (`allowAutoTopicCreation`, v4+; always allowed before), except
 *   internal topics; otherwise UNKNOWN_TOPIC_OR_PARTITION. An illegal name answers
 *   INVALID_TOPIC_EXCEPTION when it would be created (as in Kafka, UNKNOWN_TOPIC_OR_PARTITION
 *   otherwise); an unknown topic id answers UNKNOWN_TOPIC_ID.
 * - The broker is this node at the advertised host and port of the listener the request came in on.
 * - With ACLs: listing all topics shows only those the principal may Describe; a named topic it may
 *   not Describe answers TOPIC_AUTHORIZATION_FAILED (whether or not it exists, so names do not
 *   leak), as does one it would auto-create without Create on the cluster or the topic.
 * - Authorized operations (v8+) are reported when asked for, from the ACLs (every operation when
 *   the authorizer is off); the cluster's are 0 without Describe on the cluster, as in Kafka.
 */
import { ErrorCode, MetadataApi, ZERO_UUID, type Input, type MetadataResponseTopic } from '@tributary/protocol'
import type { TopicInfo } from '../log/log-manager.js'
import { LEADER_EPOCH } from '../server/leader-epoch.js'
import { AclOperation, ResourceType, authorize, authorizeTopicCreation, authorizedOperations, clusterAuthorizedOperations, endpointFor } from '../security/access.js'
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type TopicResult = Input<MetadataResponseTopic>

export const metadataHandler = defineHandler({
  api: MetadataApi,
  minVersion: 0,
  maxVersion: MetadataApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const all = request.topics === null || (v === 0 && request.topics.length === 0)
    const allowAutoCreate = v < 4 || request.allowAutoTopicCreation
    const withOps = request.includeTopicAuthorizedOperations
    const topics = all
      ? ctx.broker.logs
          .topics()
          .filter((t) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name, false))
          .map((t) => describeTopic(t, ctx, withOps))
      : request.topics!.map((t) => (t.name === null ? byId(t.topicId, ctx, withOps) : byName(t.name, allowAutoCreate, ctx, withOps)))
    return {
      throttleTimeMs: 0,
      brokers: [{ ...endpointFor(ctx), rack: null }],
      clusterId: ctx.broker.clusterId,
      controllerId: ctx.broker.nodeId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : OPERATIONS_NOT_REQUESTED,
    }
  },

  errorResponse(request, errorCode, ctx) {
    const topics = (request.topics ?? []).map((t): TopicResult => ({ errorCode, name: t.name ?? nullName(ctx), topicId: t.topicId, partitions: [] }))
    return { throttleTimeMs: 0, brokers: [{ ...endpointFor(ctx), rack: null }], clusterId: ctx.broker.clusterId, controllerId: ctx.broker.nodeId, topics }
  },
})

function describeTopic(t: TopicInfo, ctx: RequestContext, withOps: boolean): TopicResult {
  const node = ctx.broker.nodeId
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.isInternal,
    partitions: Array.from({ length: t.partitions }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: node,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: withOps ? authorizedOperations(ctx, ResourceType.TOPIC, t.name) : OPERATIONS_NOT_REQUESTED,
  }
}

function byName(name: string, allowAutoCreate: boolean, ctx: RequestContext, withOps: boolean): TopicResult {
  const unauthorized = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, partitions: [] }
  if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) return unauthorized
  try {
    let known = ctx.broker.logs.topic(name)
    if (!known && allowAutoCreate) {
      if (ctx.broker.options.autoCreateTopics && !authorizeTopicCreation(ctx, name)) return unauthorized
      known = ctx.broker.autoCreateTopic(name, `Metadata from client ${JSON.stringify(ctx.clientId)}`)
    }
    if (known) return describeTopic(known, ctx, withOps)
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, partitions: [] }
  } catch (err) {
    const errorCode = errorCodeOf(err, ctx, `describing topic ${name}`)
    if (errorMessageOf(err) !== null) ctx.broker.logger.debug?.(`metadata for topic ${JSON.stringify(name)}: ${errorMessageOf(err)}`)
    return { errorCode, name, topicId: ZERO_UUID, partitions: [] }
  }
}

function byId(topicId: string, ctx: RequestContext, withOps: boolean): TopicResult {
  const known = ctx.broker.logs.topicById(topicId)
  if (!known) return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: nullName(ctx), topicId, partitions: [] }
  if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, known.name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: nullName(ctx), topicId, partitions: [] }
  return describeTopic(known, ctx, withOps)
}

/** An unknown name: null where the version allows it (v12+), else empty. */
function nullName(ctx: RequestContext): string | null {
  return ctx.apiVersion >= 12 ? null : ''
}

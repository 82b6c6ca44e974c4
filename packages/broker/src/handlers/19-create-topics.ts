/**
 * CreateTopics (API key 19), versions 0-7.
 *
 * Behaviour, per topic:
 * - `numPartitions` -1 takes the default partition count (`num.partitions`), `replicationFactor` -1
 *   means 1; a factor above 1 answers INVALID_REPLICATION_FACTOR (one broker), a partition count
 *   below 1 INVALID_PARTITIONS.
 * - Manual `assignments` are accepted when every partition, numbered from 0, lists only this node;
 *   they then set the partition count, and `numPartitions`/`replicationFactor` must be -1
 *   (INVALID_REQUEST otherwise, INVALID_REPLICA_ASSIGNMENT for other brokers or gaps).
 * - `configs` use Kafka's topic config names; unknown names, bad values and null values answer
 *   INVALID_CONFIG.
 * - TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION (illegal name, or a '.'/'_' collision); a topic
 *   named twice in one request answers INVALID_REQUEST for both.
 * - `validateOnly` (v1+) checks everything and creates nothing.
 * - v5+ answers the partition count, replication factor and every config with its source; v7 the topic id.
 * - With ACLs: Create on the cluster or the topic (TOPIC_AUTHORIZATION_FAILED); the configs are
 *   answered only with DescribeConfigs on the topic (else `topicConfigErrorCode`
 *   TOPIC_AUTHORIZATION_FAILED and no configs), as Kafka does.
 */
import { CreateTopicsApi, ErrorCode, ZERO_UUID, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult, type Input } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, authorizeTopicCreation } from '../security/access.js'
import { describeOverrides } from '../server/config-descriptions.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type TopicResult = Input<CreateTopicsResponseCreatableTopicResult>

export const createTopicsHandler = defineHandler({
  api: CreateTopicsApi,
  minVersion: 0,
  maxVersion: CreateTopicsApi.maxVersion,

  handle(request, ctx) {
    const counts = new Map<string, number>()
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const topics = request.topics.map((t): TopicResult => {
      if (counts.get(t.name)! > 1) return failed(t.name, ErrorCode.INVALID_REQUEST, `Topic ${t.name} appears more than once in the request`)
      if (!authorizeTopicCreation(ctx, t.name)) return failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Not authorized to create topic ${t.name}`)
      try {
        return create(t, request.validateOnly, ctx)
      } catch (err) {
        return failed(t.name, errorCodeOf(err, ctx, `creating topic ${t.name}`), errorMessageOf(err))
      }
    })
    return { throttleTimeMs: 0, topics }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => failed(t.name, errorCode, null)) }
  },
})

function failed(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null }
}

function create(t: CreateTopicsRequestCreatableTopic, validateOnly: boolean, ctx: RequestContext): TopicResult {
  const configs: Record<string, string> = {}
  for (const c of t.configs) {
    if (c.value === null) throw requestError('INVALID_CONFIG', `Null value not supported for topic config ${c.name}`)
    if (Object.hasOwn(configs, c.name)) throw requestError('INVALID_REQUEST', `Config ${c.name} is given more than once`)
    configs[c.name] = c.value
  }
  const partitions = t.assignments.length > 0 ? checkAssignments(t, ctx.broker.nodeId) : t.numPartitions
  const info = ctx.broker.createTopic(t.name, { partitions, replicationFactor: t.replicationFactor, configs, validateOnly }, `CreateTopics from client ${JSON.stringify(ctx.clientId)}`)
  const configsVisible = authorize(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name, false)
  return {
    name: t.name,
    topicId: validateOnly ? ZERO_UUID : info.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: info.partitions,
    replicationFactor: 1,
    topicConfigErrorCode: configsVisible ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    configs: configsVisible ? describeOverrides(ctx.broker, info.configs).map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: false })) : null,
  }
}

/** The partition count of a manual assignment. @throws KafkaError INVALID_REQUEST, INVALID_REPLICA_ASSIGNMENT. */
function checkAssignments(t: CreateTopicsRequestCreatableTopic, nodeId: number): number {
  if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
    throw requestError('INVALID_REQUEST', 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
  }
  const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b)
  if (indexes.some((p, i) => p !== i)) throw requestError('INVALID_REPLICA_ASSIGNMENT', `Partitions must be numbered 0 to ${indexes.length - 1} without gaps, got ${indexes.join(', ')}`)
  for (const a of t.assignments) {
    if (a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId) {
      throw requestError('INVALID_REPLICA_ASSIGNMENT', `Partition ${a.partitionIndex} is assigned to brokers [${a.brokerIds.join(', ')}], but the only broker is ${nodeId}`)
    }
  }
  return t.assignments.length
}

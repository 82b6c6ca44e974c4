/**
 * CreatePartitions (API key 37), versions 0-3.
 *
 * Behaviour, per topic: raises the partition count to `count`; new partitions start empty.
 * Assignments, when given, must list one entry per new partition naming only this node
 * (INVALID_REPLICA_ASSIGNMENT otherwise). Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS
 * (not an increase), INVALID_REQUEST (a topic named twice), TOPIC_AUTHORIZATION_FAILED without Alter on
 * the topic (with ACLs). `validateOnly` checks and changes nothing.
 */
import { CreatePartitionsApi, ErrorCode, type CreatePartitionsRequestCreatePartitionsTopic, type CreatePartitionsResponseCreatePartitionsTopicResult, type Input } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type TopicResult = Input<CreatePartitionsResponseCreatePartitionsTopicResult>

export const createPartitionsHandler = defineHandler({
  api: CreatePartitionsApi,
  minVersion: 0,
  maxVersion: CreatePartitionsApi.maxVersion,

  handle(request, ctx) {
    const counts = new Map<string, number>()
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const results = request.topics.map((t): TopicResult => {
      if (counts.get(t.name)! > 1) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Topic ${t.name} appears more than once in the request` }
      try {
        grow(t, request.validateOnly, ctx)
        return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
      } catch (err) {
        return { name: t.name, errorCode: errorCodeOf(err, ctx, `adding partitions to ${t.name}`), errorMessage: errorMessageOf(err) }
      }
    })
    return { throttleTimeMs: 0, results }
  },

  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })) }
  },
})

function grow(t: CreatePartitionsRequestCreatePartitionsTopic, validateOnly: boolean, ctx: RequestContext): void {
  if (!authorize(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name)) throw requestError('TOPIC_AUTHORIZATION_FAILED', `Not authorized to add partitions to topic ${t.name}`)
  const current = ctx.broker.logs.topic(t.name)
  if (!current) throw requestError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host topic '${t.name}'`)
  if (t.assignments !== null) {
    const added = t.count - current.partitions
    if (t.assignments.length !== added) {
      throw requestError('INVALID_REPLICA_ASSIGNMENT', `${t.assignments.length} assignments were given for ${added} new partitions`)
    }
    const node = ctx.broker.nodeId
    if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== node)) {
      throw requestError('INVALID_REPLICA_ASSIGNMENT', `New partitions can only be assigned to broker ${node}, the only broker`)
    }
  }
  ctx.broker.createPartitions(t.name, t.count, validateOnly, `CreatePartitions from client ${JSON.stringify(ctx.clientId)}`)
}

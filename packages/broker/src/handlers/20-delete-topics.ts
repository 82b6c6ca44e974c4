/**
 * DeleteTopics (API key 20), versions 0-6.
 *
 * Behaviour:
 * - v0-5 name topics; v6 names each topic either by name or by id (both, or neither, answers
 *   INVALID_REQUEST). The topic's data is removed at once and waiting fetches wake up.
 * - Unknown name: UNKNOWN_TOPIC_OR_PARTITION; unknown id: UNKNOWN_TOPIC_ID. A topic named twice in
 *   one request answers INVALID_REQUEST for both.
 * - v5+ carries error messages; v6 answers the topic id.
 * - With ACLs: Delete on the topic (TOPIC_AUTHORIZATION_FAILED; by id, also when the principal may
 *   not Describe it, so that names do not leak).
 */
import { DeleteTopicsApi, ErrorCode, ZERO_UUID, type DeleteTopicsResponseDeletableTopicResult, type Input } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type TopicResult = Input<DeleteTopicsResponseDeletableTopicResult>

interface Named {
  name: string | null
  topicId: string
}

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopicsApi,
  minVersion: 0,
  maxVersion: DeleteTopicsApi.maxVersion,

  handle(request, ctx) {
    const wanted = namedTopics(request.topicNames, request.topics, ctx.apiVersion)
    const counts = new Map<string, number>()
    for (const t of wanted) {
      const key = t.name ?? t.topicId
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const responses = wanted.map((t): TopicResult => {
      if (counts.get(t.name ?? t.topicId)! > 1) return { ...t, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The topic appears more than once in the request' }
      try {
        return remove(t, ctx)
      } catch (err) {
        return { ...t, errorCode: errorCodeOf(err, ctx, `deleting topic ${t.name ?? t.topicId}`), errorMessage: errorMessageOf(err) }
      }
    })
    return { throttleTimeMs: 0, responses }
  },

  errorResponse(request, errorCode, ctx) {
    return { throttleTimeMs: 0, responses: namedTopics(request.topicNames, request.topics, ctx.apiVersion).map((t) => ({ ...t, errorCode })) }
  },
})

function namedTopics(names: readonly string[], topics: readonly Named[], version: number): Named[] {
  return version >= 6 ? topics.map((t) => ({ name: t.name, topicId: t.topicId })) : names.map((name) => ({ name, topicId: ZERO_UUID }))
}

function remove(t: Named, ctx: RequestContext): TopicResult {
  const byId = t.topicId !== ZERO_UUID
  if (byId === (t.name !== null)) throw requestError('INVALID_REQUEST', 'Name a topic either by name or by id')
  const name = byId ? ctx.broker.logs.topicById(t.topicId)?.name : t.name!
  if (name === undefined) throw requestError('UNKNOWN_TOPIC_ID', `No topic has id ${t.topicId}`)
  if (!authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) {
    if (byId) return { name: null, topicId: t.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null }
    throw requestError('TOPIC_AUTHORIZATION_FAILED', `Not authorized to delete topic ${name}`)
  }
  const deleted = ctx.broker.deleteTopic(name, `DeleteTopics from client ${JSON.stringify(ctx.clientId)}`)
  return { name: deleted.name, topicId: deleted.topicId, errorCode: ErrorCode.NONE, errorMessage: null }
}

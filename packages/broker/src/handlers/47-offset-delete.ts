/**
 * OffsetDelete (API key 47), version 0 (KIP-496).
 *
 * Deletes committed offsets of a group: any partition of an empty group; for a consumer group with
 * members, only topics no member subscribes to (partitions of subscribed topics answer
 * GROUP_SUBSCRIBED_TO_TOPIC). Partitions that do not exist answer UNKNOWN_TOPIC_OR_PARTITION. A
 * group left empty without offsets is removed. Group errors (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP
 * for a non-consumer group with members, INVALID_GROUP_ID) come with no partition results.
 * With ACLs: Delete on the group (GROUP_AUTHORIZATION_FAILED) and Read on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import { ErrorCode, OffsetDeleteApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, topicAuthorizer } from '../security/access.js'
import { defineHandler } from './handler.js'

export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: OffsetDeleteApi.maxVersion,

  handle(request, ctx) {
    if (!authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] }
    const readable = topicAuthorizer(ctx, AclOperation.READ)
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) }))
    const result = ctx.broker.groups.deleteOffsets(request.groupId, topics.filter((t) => readable(t.name)))
    const denied = topics.filter((t) => !readable(t.name)).map((t) => ({ name: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }))
    return { throttleTimeMs: 0, ...result, topics: [...result.topics, ...denied] }
  },

  errorResponse(_request, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] }
  },
})

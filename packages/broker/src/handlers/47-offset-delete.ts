/**
 * OffsetDelete (API key 47), version 0 (KIP-496).
 *
 * Deletes committed offsets of a group: any partition of an empty group; for a consumer group with
 * members, only topics no member subscribes to (partitions of subscribed topics answer
 * GROUP_SUBSCRIBED_TO_TOPIC). Partitions that do not exist answer UNKNOWN_TOPIC_OR_PARTITION. A
 * group left empty without offsets is removed. Group errors (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP
 * for a non-consumer group with members, INVALID_GROUP_ID) come with no partition results.
 */
import { OffsetDeleteApi } from '@tributary/protocol'
import { defineHandler } from './handler.js'

export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: OffsetDeleteApi.maxVersion,

  handle(request, ctx) {
    const result = ctx.broker.groups.deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    )
    return { throttleTimeMs: 0, ...result }
  },

  errorResponse(_request, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] }
  },
})

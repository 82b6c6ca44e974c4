/**
 * OffsetCommit (API key 8), versions 0-9.
 *
 * Stores a group's committed offsets in `__consumer_offsets` (see `groups/offset-requests.ts`):
 * - Members of a managed group commit with their generation and member id (v1+) and instance id
 *   (v7+): ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID when they are not current,
 *   REBALANCE_IN_PROGRESS while the group awaits its assignment.
 * - Generation -1 (and v0, which has none) commits to a group without members, creating it when
 *   unknown; a named generation for an unknown group answers ILLEGAL_GENERATION.
 * - Per partition: UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
 *   OFFSET_METADATA_TOO_LARGE above `offset.metadata.max.bytes`; the rest are written in one batch.
 * - v1 may set the commit timestamp, v2-v4 a retention time (the offset then expires that long
 *   after the commit); v6+ carry the leader epoch; v8+ are flexible. v9 commits to classic groups
 *   as v8 (its member epoch is the generation).
 * - A null metadata string is stored as "", as Kafka does.
 * - With ACLs: Read on the group (GROUP_AUTHORIZATION_FAILED for every partition) and Read on each
 *   topic (TOPIC_AUTHORIZATION_FAILED for its partitions; the others are committed).
 */
import { ErrorCode, OffsetCommitApi } from '@tributary/protocol'
import { AclOperation, ResourceType, authorize, topicAuthorizer } from '../security/access.js'
import { defineHandler } from './handler.js'

export const offsetCommitHandler = defineHandler({
  api: OffsetCommitApi,
  minVersion: 0,
  maxVersion: OffsetCommitApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return allWith(request.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    const readable = topicAuthorizer(ctx, AclOperation.READ)
    const allowed = request.topics.filter((t) => readable(t.name))
    const denied = allWith(request.topics.filter((t) => !readable(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics
    if (allowed.length === 0) return { throttleTimeMs: 0, topics: denied }
    const topics = ctx.broker.groups.commitOffsets({
      groupId: request.groupId,
      generationId: v >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? request.memberId : '',
      groupInstanceId: v >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? Math.max(-1, Number(request.retentionTimeMs)) : -1,
      topics: allowed.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
          commitTimestamp: v === 1 ? Math.max(-1, Number(p.commitTimestamp)) : -1,
        })),
      })),
    })
    return { throttleTimeMs: 0, topics: [...topics, ...denied] }
  },

  errorResponse(request, errorCode) {
    return allWith(request.topics, errorCode)
  },
})

function allWith(topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[], errorCode: number) {
  return { throttleTimeMs: 0, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) }
}

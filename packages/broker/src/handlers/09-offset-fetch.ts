/**
 * OffsetFetch (API key 9), versions 0-9.
 *
 * Answers a group's committed offsets, whatever the group's state:
 * - The listed partitions, with offset -1 (leader epoch -1, metadata "") where nothing is
 *   committed; v2+ may ask for every committed partition with a null topic list.
 * - v8+ ask for several groups at once, each answered with its own error code.
 * - v7+ `requireStable`: a partition with a transactional offset still pending answers
 *   UNSTABLE_OFFSET_COMMIT (offset -1), so the consumer retries once the transaction ends.
 * - v9's member id and epoch belong to the new consumer protocol; classic groups ignore them.
 * - A group-level error (COORDINATOR_NOT_AVAILABLE after shutdown began) goes to the top-level
 *   error code in v2-v7 and to every partition before v2, as in Kafka.
 * - With ACLs: Describe on the group (GROUP_AUTHORIZATION_FAILED, a group-level error) and on
 *   each topic: listed topics the principal may not Describe answer TOPIC_AUTHORIZATION_FAILED per
 *   partition; when all committed offsets are asked for, such topics are left out.
 */
import { ErrorCode, OffsetFetchApi, type Input, type OffsetFetchResponseTopic } from '@tributary/protocol'
import type { OffsetFetchResult } from '../groups/offset-requests.js'
import { AclOperation, ResourceType, authorize, topicAuthorizer } from '../security/access.js'
import { defineHandler, type RequestContext } from './handler.js'

type TopicList = { name: string; partitions: number[] }[] | null

export const offsetFetchHandler = defineHandler({
  api: OffsetFetchApi,
  minVersion: 0,
  maxVersion: OffsetFetchApi.maxVersion,

  handle(request, ctx) {
    const v = ctx.apiVersion
    const requireStable = v >= 7 && request.requireStable
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((g) => {
          const r = fetchAuthorized(ctx, g.groupId, g.topics === null ? null : g.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })), requireStable)
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics }
        }),
      }
    }
    const topics = request.topics === null || request.topics === undefined ? null : request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }))
    const r = fetchAuthorized(ctx, request.groupId, v >= 2 ? topics : (topics ?? []), requireStable)
    return single(r, topics, v)
  },

  errorResponse(request, errorCode, ctx) {
    const v = ctx.apiVersion
    if (v >= 8) return { throttleTimeMs: 0, groups: request.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) }
    const topics = request.topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? null
    return single({ errorCode, topics: [] }, topics, v)
  },
})

/** The group's committed offsets, within what the principal may Describe. */
function fetchAuthorized(ctx: RequestContext, groupId: string, topics: TopicList, requireStable: boolean): OffsetFetchResult {
  if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] }
  const describable = topicAuthorizer(ctx, AclOperation.DESCRIBE, topics !== null)
  if (topics === null) {
    const r = ctx.broker.groups.fetchOffsets(groupId, null, requireStable)
    return { ...r, topics: r.topics.filter((t) => describable(t.name)) }
  }
  const r = ctx.broker.groups.fetchOffsets(groupId, topics.filter((t) => describable(t.name)), requireStable)
  const denied = topics
    .filter((t) => !describable(t.name))
    .map((t) => ({ name: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }))
  return { ...r, topics: [...r.topics, ...denied] }
}

/** A v0-v7 answer; before v2 a group error is reported on every requested partition. */
function single(r: OffsetFetchResult, requested: { name: string; partitions: number[] }[] | null, v: number): { throttleTimeMs: number; errorCode: number; topics: Input<OffsetFetchResponseTopic>[] } {
  if (r.errorCode === ErrorCode.NONE || v >= 2) return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics }
  const topics = (requested ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })),
  }))
  return { throttleTimeMs: 0, errorCode: r.errorCode, topics }
}

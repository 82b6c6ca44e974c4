/**
 * OffsetForLeaderEpoch (API key 23), versions 0-4.
 *
 * Every partition has had one leader epoch, 0, since it was created. So for a requested epoch of 0
 * or more the answer is epoch 0 ending at the log end offset, and for a negative epoch the
 * undefined epoch (-1) and offset (-1). Consumers use this to validate their position after a
 * leader change (KIP-320); it never reports truncation here. Errors: UNKNOWN_TOPIC_OR_PARTITION,
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (v2+ `currentLeaderEpoch`),
 * TOPIC_AUTHORIZATION_FAILED without Describe on the topic (with ACLs).
 */
import { ErrorCode, OffsetForLeaderEpochApi, type Input, type OffsetForLeaderEpochResponseEpochEndOffset } from '@tributary/protocol'
import { AclOperation, topicAuthorizer } from '../security/access.js'
import { LEADER_EPOCH, leaderEpochError } from '../server/leader-epoch.js'
import { defineHandler, type RequestContext } from './handler.js'

type PartitionResult = Input<OffsetForLeaderEpochResponseEpochEndOffset>

export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpochApi,
  minVersion: 0,
  maxVersion: OffsetForLeaderEpochApi.maxVersion,

  handle(request, ctx) {
    const describable = topicAuthorizer(ctx, AclOperation.DESCRIBE)
    const topics = request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) =>
        describable(t.topic)
          ? endOffset(t.topic, p.partition, p.leaderEpoch, ctx.apiVersion >= 2 ? p.currentLeaderEpoch : -1, ctx)
          : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: p.partition, leaderEpoch: -1, endOffset: -1n },
      ),
    }))
    return { throttleTimeMs: 0, topics }
  },

  errorResponse(request, errorCode) {
    const topics = request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n })) }))
    return { throttleTimeMs: 0, topics }
  },
})

function endOffset(topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch: number, ctx: RequestContext): PartitionResult {
  const log = ctx.broker.logs.getLog(topic, partition)
  if (!log) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partition, leaderEpoch: -1, endOffset: -1n }
  const epochError = leaderEpochError(currentLeaderEpoch)
  if (epochError !== ErrorCode.NONE) return { errorCode: epochError, partition, leaderEpoch: -1, endOffset: -1n }
  if (leaderEpoch < 0) return { errorCode: ErrorCode.NONE, partition, leaderEpoch: -1, endOffset: -1n }
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: LEADER_EPOCH, endOffset: BigInt(log.logEndOffset) }
}

/**
 * ListOffsets (API key 2), versions 0-10.
 *
 * Behaviour, per partition, by the requested timestamp:
 * - -2 (earliest): the log start offset. -4 (earliest local, v8+): the same, as all data is local.
 * - -1 (latest): the high watermark, or the last stable offset for read_committed (`isolationLevel` 1).
 * - -3 (max timestamp, v7+): the record with the largest timestamp, found through the time index.
 * - -5 (latest tiered, v9+): nothing is tiered, so offset -1.
 * - any other value: the first record whose timestamp is at least that, through the time index;
 *   offset -1 when there is none.
 * Offsets found carry leader epoch 0 (v4+), and timestamp -1 for -1/-2/-4. v0 answers the offset in
 * its old-style list. Errors: UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (v4+),
 * TOPIC_AUTHORIZATION_FAILED without Describe on the topic (with ACLs).
 */
import { ErrorCode, ListOffsetsApi, type Input, type ListOffsetsRequestListOffsetsPartition, type ListOffsetsResponseListOffsetsPartitionResponse } from '@tributary/protocol'
import type { OffsetAndTimestamp } from '../log/timestamp-search.js'
import type { PartitionLog } from '../log/partition-log.js'
import { AclOperation, ResourceType, authorize } from '../security/access.js'
import { LEADER_EPOCH, leaderEpochError } from '../server/leader-epoch.js'
import { errorCodeOf, offsetFromWire } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type PartitionResult = Input<ListOffsetsResponseListOffsetsPartitionResponse>

const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3
const EARLIEST_LOCAL = -4
const LATEST_TIERED = -5
const READ_COMMITTED = 1
const NOT_FOUND: OffsetAndTimestamp = { offset: -1, timestamp: -1 }

export const listOffsetsHandler = defineHandler({
  api: ListOffsetsApi,
  minVersion: 0,
  maxVersion: ListOffsetsApi.maxVersion,

  handle(request, ctx) {
    const topics = request.topics.map((t) => {
      const allowed = authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)
      const partitions = t.partitions.map((p) => (allowed ? lookUp(t.name, p, request.isolationLevel, ctx) : { partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }))
      return { name: t.name, partitions }
    })
    return { throttleTimeMs: 0, topics }
  },

  errorResponse(request, errorCode) {
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }))
    return { throttleTimeMs: 0, topics }
  },
})

function lookUp(topic: string, p: ListOffsetsRequestListOffsetsPartition, isolationLevel: number, ctx: RequestContext): PartitionResult {
  const log = ctx.broker.logs.getLog(topic, p.partitionIndex)
  if (!log) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
  const epochError = ctx.apiVersion >= 4 ? leaderEpochError(p.currentLeaderEpoch) : ErrorCode.NONE
  if (epochError !== ErrorCode.NONE) return { partitionIndex: p.partitionIndex, errorCode: epochError }
  let found: OffsetAndTimestamp
  try {
    found = find(log, offsetFromWire(p.timestamp), isolationLevel, ctx)
  } catch (err) {
    return { partitionIndex: p.partitionIndex, errorCode: errorCodeOf(err, ctx, `listing offsets of ${log.name}`) }
  }
  // Each field exists only in some versions; the codec refuses values in a version without them.
  const v = ctx.apiVersion
  if (v === 0) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: found.offset >= 0 && p.maxNumOffsets > 0 ? [BigInt(found.offset)] : [] }
  const result: PartitionResult = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, timestamp: BigInt(found.timestamp), offset: BigInt(found.offset) }
  if (v >= 4) result.leaderEpoch = found.offset >= 0 ? LEADER_EPOCH : -1
  return result
}

function find(log: PartitionLog, timestamp: number, isolationLevel: number, ctx: RequestContext): OffsetAndTimestamp {
  switch (timestamp) {
    case LATEST:
      return { offset: isolationLevel === READ_COMMITTED ? ctx.broker.lastStableOffset(log) : log.highWatermark, timestamp: -1 }
    case EARLIEST:
    case EARLIEST_LOCAL:
      return log.earliest()
    case MAX_TIMESTAMP:
      return log.maxTimestamp() ?? NOT_FOUND
    case LATEST_TIERED:
      return NOT_FOUND
    default:
      return log.offsetForTimestamp(timestamp) ?? NOT_FOUND
  }
}

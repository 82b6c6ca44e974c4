/**
 * DeleteRecords (API key 21), versions 0-2.
 *
 * Behaviour, per partition: moves the log start offset up to `offset` (-1: the high watermark),
 * deleting segments that fall wholly below it, persists the new start offset, and answers it as
 * the low watermark. A lower offset than the current start changes nothing. Errors:
 * UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE (above the high watermark, or below -1), TOPIC_AUTHORIZATION_FAILED without
 * Delete on the topic (with ACLs).
 */
import { DeleteRecordsApi, ErrorCode, type DeleteRecordsResponseDeleteRecordsPartitionResult, type Input } from '@tributary/protocol'
import { AclOperation, topicAuthorizer } from '../security/access.js'
import { errorCodeOf, offsetFromWire } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type PartitionResult = Input<DeleteRecordsResponseDeleteRecordsPartitionResult>

const HIGH_WATERMARK = -1

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: DeleteRecordsApi.maxVersion,

  handle(request, ctx) {
    const deletable = topicAuthorizer(ctx, AclOperation.DELETE)
    const topics = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => (deletable(t.name) ? deleteBefore(t.name, p.partitionIndex, offsetFromWire(p.offset), ctx) : { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
    }))
    return { throttleTimeMs: 0, topics }
  },

  errorResponse(request, errorCode) {
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })) }))
    return { throttleTimeMs: 0, topics }
  },
})

function deleteBefore(topic: string, partitionIndex: number, offset: number, ctx: RequestContext): PartitionResult {
  const log = ctx.broker.logs.getLog(topic, partitionIndex)
  if (!log) return { partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
  try {
    const lowWatermark = log.deleteRecordsBefore(offset === HIGH_WATERMARK ? log.highWatermark : offset)
    ctx.broker.logger.info(`${log.name}: records before offset ${lowWatermark} deleted (DeleteRecords from client ${JSON.stringify(ctx.clientId)})`)
    return { partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE }
  } catch (err) {
    return { partitionIndex, lowWatermark: -1n, errorCode: errorCodeOf(err, ctx, `deleting records of ${log.name}`) }
  }
}

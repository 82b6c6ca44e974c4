/**
 * DescribeProducers (API key 61), version 0.
 *
 * Lists the producers each partition knows (KIP-664): producer id, epoch, last sequence, the
 * timestamp of its last write, the coordinator epoch of its last marker, and the first offset of
 * its open transaction (-1 when none). Unknown partitions answer UNKNOWN_TOPIC_OR_PARTITION; with
 * ACLs, topics the principal may not Read answer TOPIC_AUTHORIZATION_FAILED.
 */
import { DescribeProducersApi, ErrorCode } from '@tributary/protocol'
import { lastSequence } from '../producers/producer-entry.js'
import { AclOperation, topicAuthorizer } from '../security/access.js'
import { errorCodeOf, errorMessageOf } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

export const describeProducersHandler = defineHandler({
  api: DescribeProducersApi,
  minVersion: 0,
  maxVersion: DescribeProducersApi.maxVersion,

  handle(request, ctx) {
    const readable = topicAuthorizer(ctx, AclOperation.READ)
    const denied = (partitionIndex: number) => ({ partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] })
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => (readable(t.name) ? describe(t.name, p, ctx) : denied(p))) }))
    return { throttleTimeMs: 0, topics }
  },

  errorResponse(request, errorCode) {
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode, errorMessage: null, activeProducers: [] })) }))
    return { throttleTimeMs: 0, topics }
  },
})

function describe(topic: string, partitionIndex: number, ctx: RequestContext) {
  const log = ctx.broker.logs.getLog(topic, partitionIndex)
  if (!log || log.isClosed) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `This server does not host ${topic}-${partitionIndex}`, activeProducers: [] }
  try {
    const activeProducers = ctx.broker.producers.activeProducers(log).map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.epoch,
      lastSequence: lastSequence(e),
      lastTimestamp: BigInt(e.lastTimestamp),
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
    }))
    return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers }
  } catch (err) {
    return { partitionIndex, errorCode: errorCodeOf(err, ctx, `describing the producers of ${log.name}`), errorMessage: errorMessageOf(err), activeProducers: [] }
  }
}

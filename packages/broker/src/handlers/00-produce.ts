/**
 * Produce (API key 0), versions 0-11.
 *
 * Only RecordBatch v2 (magic 2) is stored. Legacy message sets (magic 0/1, what Produce v0-2
 * clients send) answer UNSUPPORTED_FOR_MESSAGE_FORMAT per partition; Kafka 4.0 dropped them too.
 * The versions are still advertised from 0 because librdkafka before 2.11.1 checks that Produce v0
 * is advertised before it compresses with gzip, snappy or lz4, and otherwise silently sends
 * uncompressed batches; a version floor of 3 would turn compression off for every such client.
 *
 * Behaviour:
 * - acks 1 and -1 answer once the batches are appended (on one broker the leader is every replica);
 *   acks 0 gets no response, and a failure closes the connection so the producer notices, as Kafka
 *   does. Other acks values answer INVALID_REQUIRED_ACKS. acks -1 with `min.insync.replicas` above 1
 *   answers NOT_ENOUGH_REPLICAS.
 * - Each partition's batches are validated and appended by the log, all or nothing: CORRUPT_MESSAGE,
 *   MESSAGE_TOO_LARGE, INVALID_RECORD, INVALID_TIMESTAMP, UNSUPPORTED_FOR_MESSAGE_FORMAT (magic 0/1),
 *   KAFKA_STORAGE_ERROR. Partitions are independent: one failing leaves the others appended.
 * - Unknown topics are auto-created when `auto.create.topics.enable` is on, else (and for a missing
 *   partition) UNKNOWN_TOPIC_OR_PARTITION; illegal names and internal topics INVALID_TOPIC_EXCEPTION.
 * - Batches with a producer id are checked by the partition's producer state (`producers/`): a
 *   retried batch answers the offsets it got the first time and is not written again; a gap in the
 *   sequences answers OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch INVALID_PRODUCER_EPOCH; a
 *   transactional batch to a partition its open transaction does not hold (or a plain batch from a
 *   producer with an open transaction) INVALID_TXN_STATE. `transactionalId` is not checked further.
 * - The answer carries the base offset, the log append time (-1 unless the topic uses
 *   LogAppendTime), the log start offset, and from v8 the error message.
 * - With ACLs: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every
 *   partition) and Write on each topic (TOPIC_AUTHORIZATION_FAILED); auto-creation needs Create on
 *   the cluster or the topic (UNKNOWN_TOPIC_OR_PARTITION otherwise).
 */
import { ErrorCode, ProduceApi, type Input, type ProduceRequest, type ProduceResponse, type ProduceResponsePartitionProduceResponse } from '@tributary/protocol'
import { INTERNAL_TOPICS, validateTopicName } from '../log/topic-name.js'
import { AclOperation, ResourceType, authorize, authorizeTopicCreation } from '../security/access.js'
import { errorCodeOf, errorMessageOf, requestError } from './errors.js'
import { defineHandler, type RequestContext } from './handler.js'

type PartitionResult = Input<ProduceResponsePartitionProduceResponse>

export const produceHandler = defineHandler({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: ProduceApi.maxVersion,

  handle(request, ctx) {
    const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1
    const txnAllowed = request.transactionalId === null || authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)
    const refusalOf = (topic: string) => {
      if (!validAcks) return refused(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${request.acks}`)
      if (!txnAllowed) return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `Not authorized to write as transactional id ${request.transactionalId}`)
      if (!authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, topic)) return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Not authorized to write to topic ${topic}`)
      return undefined
    }
    let failure: string | undefined
    const responses = request.topicData.map((topic) => {
      const refusal = refusalOf(topic.name)
      const partitionResponses = topic.partitionData.map((p): PartitionResult => {
        const result = refusal ? failed(p.index, refusal.errorCode, refusal.message) : appendPartition(request, topic.name, p.index, p.records, ctx)
        if (result.errorCode && failure === undefined) failure = `${topic.name}-${p.index}: ${result.errorMessage ?? `error ${result.errorCode}`}`
        return result
      })
      return { name: topic.name, partitionResponses }
    })
    if (request.acks === 0) {
      if (failure !== undefined) ctx.closeConnection(`a produce request with acks=0 failed (${failure})`)
      return null
    }
    return { responses, throttleTimeMs: 0 }
  },

  errorResponse(request, errorCode, ctx) {
    if (request.acks === 0) {
      ctx.closeConnection(`a produce request with acks=0 failed with error ${errorCode}`)
      return null
    }
    const responses = request.topicData.map((topic) => ({ name: topic.name, partitionResponses: topic.partitionData.map((p) => failed(p.index, errorCode, null)) }))
    return { responses, throttleTimeMs: 0 } satisfies Input<ProduceResponse>
  },
})

function refused(errorCode: number, message: string): { errorCode: number; message: string } {
  return { errorCode, message }
}

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionResult {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage }
}

function appendPartition(request: ProduceRequest, topic: string, partition: number, records: Buffer | null, ctx: RequestContext): PartitionResult {
  try {
    const broker = ctx.broker
    if (INTERNAL_TOPICS.has(topic)) throw requestError('INVALID_TOPIC_EXCEPTION', `Clients cannot write to the internal topic ${topic}`)
    let log = broker.logs.getLog(topic, partition)
    if (!log) {
      validateTopicName(topic)
      if (!broker.logs.topic(topic) && !(authorizeTopicCreation(ctx, topic) && broker.autoCreateTopic(topic, `Produce from client ${JSON.stringify(ctx.clientId)}`))) {
        throw requestError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host topic '${topic}'`)
      }
      log = broker.logs.log(topic, partition)
    }
    if (request.acks === -1 && log.config.minInsyncReplicas > 1) {
      throw requestError('NOT_ENOUGH_REPLICAS', `acks=all needs ${log.config.minInsyncReplicas} in-sync replicas (min.insync.replicas) but ${topic} has 1`)
    }
    broker.producers.track(log)
    const result = log.append(records ?? Buffer.alloc(0))
    return {
      index: partition,
      errorCode: ErrorCode.NONE,
      baseOffset: BigInt(result.baseOffset),
      logAppendTimeMs: BigInt(result.logAppendTime),
      logStartOffset: BigInt(result.logStartOffset),
      errorMessage: null,
    }
  } catch (err) {
    return failed(partition, errorCodeOf(err, ctx, `appending to ${topic}-${partition}`), errorMessageOf(err))
  }
}

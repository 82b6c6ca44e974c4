/**
 * WriteTxnMarkers (API key 27), versions 0-1.
 *
 * In a cluster the transaction coordinator sends this to partition leaders; here both live in one
 * broker and markers are written in-process, so only tools send it (Kafka's `kafka-transactions.sh
 * abort` ends a hanging transaction with it, after DescribeProducers found it). Each marker is
 * appended to its partitions (see `transactions/write-markers.ts`); per partition:
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_PRODUCER_EPOCH (the partition saw a newer epoch),
 * TRANSACTION_COORDINATOR_FENCED (a newer coordinator epoch), KAFKA_STORAGE_ERROR. For a
 * `__consumer_offsets` partition the producer's transactional offsets are committed or dropped.
 * With ACLs it needs ClusterAction on the cluster (CLUSTER_AUTHORIZATION_FAILED for every
 * partition), as in Kafka, where only brokers and administrators hold it.
 */
import { ErrorCode, WriteTxnMarkersApi, type WriteTxnMarkersRequest } from '@tributary/protocol'
import { AclOperation, authorizeCluster } from '../security/access.js'
import { partitionsByTopic } from '../transactions/metadata.js'
import { defineHandler } from './handler.js'

export const writeTxnMarkersHandler = defineHandler({
  api: WriteTxnMarkersApi,
  minVersion: 0,
  maxVersion: WriteTxnMarkersApi.maxVersion,

  handle(request, ctx) {
    if (!authorizeCluster(ctx, AclOperation.CLUSTER_ACTION)) return allWith(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    const markers = request.markers.map((m) => {
      const partitions = m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })))
      const results = ctx.broker.transactions.writeMarkers({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, partitions })
      const codes = new Map(results.map((r) => [`${r.topic}\0${r.partition}`, ErrorCode[r.error]]))
      const topics = partitionsByTopic(partitions).map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: codes.get(`${t.topic}\0${partitionIndex}`)! })),
      }))
      return { producerId: m.producerId, topics }
    })
    return { markers }
  },

  errorResponse(request, errorCode) {
    return allWith(request, errorCode)
  },
})

function allWith(request: WriteTxnMarkersRequest, errorCode: number) {
  return { markers: request.markers.map((m) => ({ producerId: m.producerId, topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })) })) }
}

import { ErrorCode, KafkaError, type ErrorName } from '@tributary/protocol'
import { OFFSETS_TOPIC } from '../groups/internal-topics.js'
import type { TopicPartition } from './metadata.js'
import type { PartitionResult } from './partitions.js'
import type { TxnResult, TxnRuntime } from './runtime.js'

/** One marker of a WriteTxnMarkers request. */
export interface MarkerRequest {
  producerId: bigint
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
  partitions: readonly TopicPartition[]
}

/**
 * Writes transaction markers on request (WriteTxnMarkers, what Kafka's admin tools send to end a
 * hanging transaction): a COMMIT or ABORT marker to each partition, refused by a partition that
 * has seen a newer epoch of the producer (INVALID_PRODUCER_EPOCH) or a newer coordinator epoch
 * (TRANSACTION_COORDINATOR_FENCED). For a group's `__consumer_offsets` partition the producer's
 * transactional offsets are committed or dropped instead. The coordinator's own metadata of the
 * transactional id is left alone, as in Kafka.
 */
export function writeRequestedMarkers(rt: TxnRuntime, m: MarkerRequest): PartitionResult[] {
  let offsetsDone: TxnResult | undefined
  return m.partitions.map((tp) => {
    if (!rt.active) return { ...tp, error: 'COORDINATOR_NOT_AVAILABLE' }
    if (tp.topic === OFFSETS_TOPIC) {
      offsetsDone ??= attempt(rt, () => rt.groups.completeTransactionalOffsets(m.producerId, m.producerEpoch, m.commit))
      return { ...tp, error: offsetsDone }
    }
    const log = rt.logs.getLog(tp.topic, tp.partition)
    if (!log || log.isClosed) return { ...tp, error: 'UNKNOWN_TOPIC_OR_PARTITION' }
    return { ...tp, error: attempt(rt, () => rt.producers.appendMarker(log, m)) }
  })
}

function attempt(rt: TxnRuntime, write: () => unknown): TxnResult {
  try {
    write()
    return 'NONE'
  } catch (err) {
    if (err instanceof KafkaError && err.code !== 'UNKNOWN_SERVER_ERROR' && isErrorName(err.code)) return err.code
    rt.logger.error('transaction coordinator: writing a requested transaction marker failed', err)
    return 'UNKNOWN_SERVER_ERROR'
  }
}

function isErrorName(code: string): code is ErrorName {
  return Object.hasOwn(ErrorCode, code)
}

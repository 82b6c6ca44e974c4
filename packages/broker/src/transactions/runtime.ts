import type { ErrorName } from '@tributary/protocol'
import type { LogManager, TopicInfo } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'
import type { ProducerStateManager } from '../producers/manager.js'
import type { TransactionConfig } from './config.js'
import type { TopicPartition, TransactionMetadata } from './metadata.js'
import type { ProducerIdAllocator } from './producer-ids.js'
import type { TransactionLog } from './txn-log.js'

/** What the transaction coordinator needs of the group coordinator (see `GroupCoordinator`). */
export interface GroupOffsetsPort {
  /** The `__consumer_offsets` partition holding a group. */
  partitionFor(groupId: string): number
  /** Creates `__consumer_offsets` unless it exists. @throws KafkaError */
  ensureOffsetsTopic(): TopicInfo
  /** Creates `__transaction_state` unless it exists. @throws KafkaError */
  ensureTransactionStateTopic(): TopicInfo
  /** Commits or drops the offsets a producer staged (TxnOffsetCommit). Idempotent. @throws KafkaError */
  completeTransactionalOffsets(producerId: bigint, producerEpoch: number, commit: boolean): void
}

/** A coordinator answer: NONE or the Kafka error to report. */
export type TxnResult = 'NONE' | ErrorName

/**
 * The transaction coordinator's shared state: every transactional id's metadata, the producer id
 * index, transactions whose markers are still to be written, and the writers. The request modules
 * (init-producer-id, partitions, end-txn, admin, maintenance) all work on one runtime.
 *
 * Metadata changes are persisted first and installed in memory only once the write succeeded, so
 * memory never claims what a restart would not find.
 */
export class TxnRuntime {
  readonly transactions = new Map<string, TransactionMetadata>()
  /** Current and previous producer ids → transactional id. */
  readonly byProducerId = new Map<bigint, string>()
  /** Transactions prepared (PrepareCommit/PrepareAbort) whose markers are not all written: their partitions still to mark. */
  readonly pendingMarkers = new Map<string, TopicPartition[]>()
  /** False once the coordinator is closed: requests answer COORDINATOR_NOT_AVAILABLE. */
  active = true

  constructor(
    readonly logs: LogManager,
    readonly store: TransactionLog,
    readonly ids: ProducerIdAllocator,
    readonly producers: ProducerStateManager,
    readonly groups: GroupOffsetsPort,
    readonly config: TransactionConfig,
    readonly logger: BrokerLogger,
    readonly clock: () => number,
  ) {}

  now(): number {
    return this.clock()
  }

  /** Makes `meta` the transactional id's current metadata in memory (after it was persisted). */
  install(meta: TransactionMetadata): void {
    const old = this.transactions.get(meta.transactionalId)
    const keep = new Set([meta.producerId, meta.previousProducerId])
    if (old) for (const id of [old.producerId, old.previousProducerId]) if (!keep.has(id) && this.byProducerId.get(id) === meta.transactionalId) this.byProducerId.delete(id)
    this.transactions.set(meta.transactionalId, meta)
    for (const id of keep) if (id >= 0n) this.byProducerId.set(id, meta.transactionalId)
  }

  /** Forgets a transactional id (after its tombstone was persisted). */
  uninstall(transactionalId: string): void {
    const old = this.transactions.get(transactionalId)
    if (!old) return
    for (const id of [old.producerId, old.previousProducerId]) if (this.byProducerId.get(id) === transactionalId) this.byProducerId.delete(id)
    this.transactions.delete(transactionalId)
    this.pendingMarkers.delete(transactionalId)
  }

  /**
   * Persists `meta` to `__transaction_state` and installs it. A failed write is logged and answered
   * COORDINATOR_NOT_AVAILABLE (retriable: the client tries again), and nothing changes.
   */
  persist(meta: TransactionMetadata): TxnResult {
    try {
      this.store.writeTransaction(meta)
    } catch (err) {
      this.logger.error(`transaction coordinator: persisting transactional id ${JSON.stringify(meta.transactionalId)} in state ${meta.state} failed`, err)
      return 'COORDINATOR_NOT_AVAILABLE'
    }
    this.install(meta)
    return 'NONE'
  }
}

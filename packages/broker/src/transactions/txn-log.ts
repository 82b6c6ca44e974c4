import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE, decodeRecordBatch, encodeRecordBatch, readRecordBatchHeader } from '@tributary/protocol'
import { TRANSACTION_STATE_TOPIC } from '../groups/internal-topics.js'
import { partitionForKey } from '../groups/java-string-hash.js'
import type { LogManager, TopicInfo } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'
import type { TransactionMetadata } from './metadata.js'
import { decodeKey, decodeProducerIdBlock, decodeTransactionValue, encodeKey, encodeProducerIdBlock, encodeTransactionValue } from './records.js'

/** What `__transaction_state` holds, replayed: the latest record of every key. */
export interface LoadedTransactionState {
  transactions: Map<string, TransactionMetadata>
  /** From the producer id block record; 0 when there is none. */
  reservedUpTo: bigint
  /** Records replayed, for the start-up log line. */
  records: number
}

const READ_CHUNK = 1 << 20

/**
 * Reads and writes `__transaction_state`: a transactional id's records go to the partition Kafka
 * would pick (Java's hash of the id), the producer id block to partition 0, one record per append.
 * The topic is created on first write.
 */
export class TransactionLog {
  constructor(
    private readonly logs: LogManager,
    /** Creates the topic when missing and returns it. */
    private readonly ensureTopic: () => TopicInfo,
    private readonly clock: () => number,
  ) {}

  /** The `__transaction_state` partition of a transactional id. @throws KafkaError when the topic cannot be created. */
  partitionFor(transactionalId: string): number {
    return partitionForKey(transactionalId, this.ensureTopic().partitions)
  }

  /** Persists a transactional id's metadata. @throws KafkaError when the topic or the append fails. */
  writeTransaction(meta: TransactionMetadata): void {
    this.append(this.partitionFor(meta.transactionalId), encodeKey({ kind: 'transaction', transactionalId: meta.transactionalId }), encodeTransactionValue(meta))
  }

  /** Removes a transactional id (tombstone). @throws KafkaError when the topic or the append fails. */
  removeTransaction(transactionalId: string): void {
    this.append(this.partitionFor(transactionalId), encodeKey({ kind: 'transaction', transactionalId }), null)
  }

  /** Persists the producer id block. @throws KafkaError when the topic or the append fails. */
  writeProducerIdBlock(reservedUpTo: bigint): void {
    this.ensureTopic()
    this.append(0, encodeKey({ kind: 'producerIdBlock' }), encodeProducerIdBlock(reservedUpTo))
  }

  /**
   * Replays every partition of `__transaction_state` (when it exists) from its start. Records this
   * broker cannot read are skipped with a warning, never failing the start.
   */
  load(logger: BrokerLogger): LoadedTransactionState {
    const state: LoadedTransactionState = { transactions: new Map(), reservedUpTo: 0n, records: 0 }
    const topic = this.logs.topic(TRANSACTION_STATE_TOPIC)
    if (!topic) return state
    for (let p = 0; p < topic.partitions; p++) {
      try {
        this.replay(p, state, logger)
      } catch (err) {
        logger.error(`${TRANSACTION_STATE_TOPIC}-${p}: reading it back failed; the transactional ids it holds start without their state`, err)
      }
    }
    return state
  }

  private replay(partition: number, state: LoadedTransactionState, logger: BrokerLogger): void {
    const log = this.logs.getLog(TRANSACTION_STATE_TOPIC, partition)
    if (!log) return
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const { records } = log.read(offset, READ_CHUNK)
      let at = 0
      while (records.length - at >= RECORD_BATCH_HEADER_SIZE) {
        const header = readRecordBatchHeader(records, at)
        const size = LOG_OVERHEAD + header.batchLength
        if (size < RECORD_BATCH_HEADER_SIZE || at + size > records.length) break
        offset = Number(header.baseOffset) + header.lastOffsetDelta + 1
        try {
          const batch = decodeRecordBatch(records.subarray(at, at + size))
          if (!batch.isControl) for (const r of batch.records) this.apply(state, r.key, r.value)
        } catch (err) {
          logger.warn(`${TRANSACTION_STATE_TOPIC}-${partition}: skipped an unreadable batch at offset ${header.baseOffset} (${(err as Error).message})`)
        }
        at += size
      }
      if (at === 0) break
    }
  }

  private apply(state: LoadedTransactionState, keyBytes: Buffer | null, value: Buffer | null): void {
    if (keyBytes === null) return
    state.records++
    const key = decodeKey(keyBytes)
    if (key.kind === 'producerIdBlock') {
      if (value !== null) state.reservedUpTo = decodeProducerIdBlock(value)
      return
    }
    if (value === null) state.transactions.delete(key.transactionalId)
    else state.transactions.set(key.transactionalId, decodeTransactionValue(key.transactionalId, value))
  }

  private append(partition: number, key: Buffer, value: Buffer | null): void {
    const log = this.logs.log(TRANSACTION_STATE_TOPIC, partition)
    log.append(encodeRecordBatch({ records: [{ key, value, timestamp: this.clock() }] }), { origin: 'coordinator' })
  }
}

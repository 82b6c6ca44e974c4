import { isControlBatch, isTransactionalBatch, type RecordBatchHeader } from '@tributary/protocol'
import type { AppendResult, PendingBatch } from '../log/append-hooks.js'
import type { AppendOrigin } from '../log/append-validation.js'
import { producerStateError, type ProducerStateError } from './errors.js'
import type { PartitionProducerState } from './partition-state.js'
import {
  NO_PRODUCER_EPOCH,
  NO_SEQUENCE,
  addBatch,
  copyEntry,
  findDuplicate,
  isNextSequence,
  lastSequence,
  lastSequenceOf,
  newEntry,
  updateEpoch,
  type BatchMetadata,
  type ProducerEntry,
} from './producer-entry.js'
import type { TxnMarker } from './stored-batches.js'

const INT32_MAX = 0x7fff_ffff

/**
 * Asks the transaction coordinator whether a transactional batch may be written: the producer's
 * transaction must be open with this epoch and hold the partition (KIP-890 part 1, done in-process
 * because coordinator and partition live in one broker). Returns the refusal, or undefined.
 */
export type TransactionVerifier = (producerId: bigint, producerEpoch: number, topic: string, partition: number) => ProducerStateError | undefined

/**
 * Checks a Produce append against the partition's producer state, as Kafka's partition leader does,
 * without changing anything. Batches without a producer id pass. For the others, in order:
 *
 * 1. A batch with the epoch and exact sequence range of one of the producer's last five batches is
 *    a retry: the append is answered with that batch's original offsets and nothing is written
 *    (what Kafka answers since DUPLICATE_SEQUENCE_NUMBER stopped being an error).
 * 2. An epoch older than the one the partition has seen: INVALID_PRODUCER_EPOCH.
 * 3. A transactional batch the coordinator does not vouch for: its refusal (INVALID_TXN_STATE, or
 *    INVALID_PRODUCER_EPOCH for a fenced producer).
 * 4. Sequences: a producer the partition does not know (never seen, or expired) may start at any
 *    sequence (Kafka 2.5+, KIP-360: no UNKNOWN_PRODUCER_ID); a new epoch must start at 0; otherwise
 *    the batch must follow the last one (0 follows 2^31-1). Else OUT_OF_ORDER_SEQUENCE_NUMBER.
 * 5. A non-transactional batch from a producer with an open transaction: INVALID_TXN_STATE.
 *
 * Transaction markers (coordinator appends) must not carry an older epoch than the partition's:
 * INVALID_PRODUCER_EPOCH; nor an older coordinator epoch: TRANSACTION_COORDINATOR_FENCED.
 *
 * @throws ProducerStateError for a refused append.
 */
export function checkAppend(
  state: PartitionProducerState,
  pending: readonly PendingBatch[],
  markers: readonly (TxnMarker | null)[],
  origin: AppendOrigin,
  verifier: TransactionVerifier | undefined,
): AppendResult | undefined {
  const working = new Map<bigint, ProducerEntry>()
  const log = state.log
  for (let i = 0; i < pending.length; i++) {
    const header = pending[i]!.header
    const producerId = header.producerId
    if (producerId < 0n) continue
    const current = state.entries.get(producerId)
    const entry = working.get(producerId) ?? (current ? copyEntry(current) : newEntry(producerId))
    working.set(producerId, entry)
    const epoch = header.producerEpoch
    if (isControlBatch(header.attributes)) {
      checkMarker(entry, header, markers[i] ?? null, log.name)
      continue
    }
    if (origin !== 'client') continue
    const lastSeq = lastSequenceOf(header.baseSequence, header.lastOffsetDelta)
    const duplicate = current && findDuplicate(current, epoch, header.baseSequence, lastSeq)
    if (duplicate) return duplicateAnswer(state, duplicate)
    if (entry.epoch !== NO_PRODUCER_EPOCH && epoch < entry.epoch) {
      throw producerStateError('INVALID_PRODUCER_EPOCH', `Producer ${producerId} wrote with epoch ${epoch} to ${log.name}, older than its current epoch ${entry.epoch}`)
    }
    const transactional = isTransactionalBatch(header.attributes)
    if (transactional) {
      const refusal = verifier?.(producerId, epoch, log.topic, log.partition)
      if (refusal) throw refusal
    }
    checkSequence(entry, epoch, header.baseSequence, log.name)
    if (!transactional && entry.currentTxnFirstOffset >= 0) {
      throw producerStateError('INVALID_TXN_STATE', `Producer ${producerId} wrote a non-transactional batch to ${log.name} while its transaction is open there`)
    }
    updateEpoch(entry, epoch)
    addBatch(entry, { firstSeq: header.baseSequence, lastSeq, firstOffset: -1, lastOffset: -1, timestamp: -1 })
    // Opened by this request: the offset is not known yet, only that a transaction is open.
    if (transactional && entry.currentTxnFirstOffset < 0) entry.currentTxnFirstOffset = Number.MAX_SAFE_INTEGER
  }
  return undefined
}

function checkSequence(entry: ProducerEntry, epoch: number, firstSeq: number, where: string): void {
  if (entry.epoch === NO_PRODUCER_EPOCH) return
  if (epoch !== entry.epoch) {
    if (firstSeq !== 0) {
      throw producerStateError('OUT_OF_ORDER_SEQUENCE_NUMBER', `Producer ${entry.producerId} started epoch ${epoch} in ${where} at sequence ${firstSeq}; a new epoch starts at 0`)
    }
    return
  }
  const last = lastSequence(entry)
  if (!isNextSequence(last, firstSeq)) {
    const expected = last === NO_SEQUENCE || last === INT32_MAX ? 0 : last + 1
    throw producerStateError(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      `Out of order sequence number for producer ${entry.producerId} in ${where}: got ${firstSeq}, expected ${expected} (epoch ${epoch})`,
    )
  }
}

function checkMarker(entry: ProducerEntry, header: RecordBatchHeader, marker: TxnMarker | null, where: string): void {
  if (header.producerEpoch < entry.epoch) {
    throw producerStateError('INVALID_PRODUCER_EPOCH', `A transaction marker for producer ${entry.producerId} in ${where} has epoch ${header.producerEpoch}, older than ${entry.epoch}`)
  }
  if (marker && marker.coordinatorEpoch < entry.coordinatorEpoch) {
    throw producerStateError(
      'TRANSACTION_COORDINATOR_FENCED',
      `A transaction marker for producer ${entry.producerId} in ${where} comes from coordinator epoch ${marker.coordinatorEpoch}, older than ${entry.coordinatorEpoch}`,
    )
  }
  updateEpoch(entry, Math.max(entry.epoch, header.producerEpoch))
  if (marker) entry.coordinatorEpoch = marker.coordinatorEpoch
}

function duplicateAnswer(state: PartitionProducerState, batch: BatchMetadata): AppendResult {
  const log = state.log
  return {
    baseOffset: batch.firstOffset,
    lastOffset: batch.lastOffset,
    logAppendTime: log.config.messageTimestampType === 'LogAppendTime' ? batch.timestamp : -1,
    logStartOffset: log.logStartOffset,
    recordCount: batch.lastOffset - batch.firstOffset + 1,
  }
}

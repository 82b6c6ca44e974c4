import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE as BATCH_HEADER_SIZE, decodeRecordBatches, readRecordBatchHeader } from '@tributary/protocol'
import type { LogManager } from '../log/log-manager.js'
import type { BrokerLogger } from '../logger.js'
import { OFFSETS_TOPIC } from './internal-topics.js'
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  decodePendingOffsetValue,
  type StoredGroup,
  type StoredOffset,
  type StoredPendingOffset,
} from './records.js'

/** A committed offset read back, with its place in the log's order. */
export interface LoadedOffset extends StoredOffset {
  sequence: number
}

/** A pending transactional offset read back. */
export interface LoadedPendingOffset {
  groupId: string
  topic: string
  partition: number
  producerId: bigint
  value: StoredPendingOffset
  sequence: number
}

/** What `__consumer_offsets` holds, after replaying it: the latest value of every live key. */
export interface LoadedGroupState {
  /** group → topic → partition → offset. */
  offsets: Map<string, Map<string, Map<number, LoadedOffset>>>
  groups: Map<string, StoredGroup>
  pending: LoadedPendingOffset[]
  /** The next sequence number to hand out: above every loaded one. */
  nextSequence: number
  /** Records replayed, for the start-up log line. */
  records: number
}

const READ_CHUNK = 1 << 20

/**
 * Replays every partition of `__consumer_offsets` from its start: later records of a key replace
 * earlier ones and tombstones delete them, exactly what compaction leaves behind. Records that
 * cannot be read (an unknown key kind or value version from a newer broker, damaged bytes) are
 * skipped with a warning, never failing the start.
 */
export function loadGroupState(logs: LogManager, logger: BrokerLogger): LoadedGroupState {
  const state: LoadedGroupState = { offsets: new Map(), groups: new Map(), pending: [], nextSequence: 0, records: 0 }
  const pending = new Map<string, LoadedPendingOffset>()
  const topic = logs.topic(OFFSETS_TOPIC)
  if (!topic) return state
  let skipped = 0
  for (let p = 0; p < topic.partitions; p++) {
    try {
      skipped += replayPartition(logs, p, state, pending, logger)
    } catch (err) {
      logger.error(`${OFFSETS_TOPIC}-${p}: reading it back failed; the groups it holds start without their state`, err)
    }
  }
  state.pending = [...pending.values()].sort((a, b) => a.sequence - b.sequence)
  if (skipped > 0) logger.warn(`group coordinator: skipped ${skipped} record(s) of ${OFFSETS_TOPIC} it cannot read (written by a newer broker, or damaged)`)
  return state
}

/** Replays one partition; returns how many records were skipped. */
function replayPartition(logs: LogManager, p: number, state: LoadedGroupState, pending: Map<string, LoadedPendingOffset>, logger: BrokerLogger): number {
  const log = logs.getLog(OFFSETS_TOPIC, p)
  if (!log) return 0
  let skipped = 0
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, READ_CHUNK)
    if (records.length === 0) break
    // Batch by batch, so that one damaged batch costs only its own records.
    let at = 0
    while (at + BATCH_HEADER_SIZE <= records.length) {
      const header = readRecordBatchHeader(records, at)
      const size = LOG_OVERHEAD + header.batchLength
      if (header.batchLength <= 0 || at + size > records.length) break
      offset = Number(header.baseOffset) + header.lastOffsetDelta + 1
      try {
        for (const batch of decodeRecordBatches(records.subarray(at, at + size))) {
          if (batch.isControl) continue
          for (const record of batch.records) {
            state.records++
            try {
              if (!apply(state, pending, record.key, record.value)) skipped++
            } catch (err) {
              skipped++
              logger.warn(`${OFFSETS_TOPIC}-${p} offset ${record.offset}: skipped an unreadable record (${(err as Error).message})`)
            }
          }
        }
      } catch (err) {
        skipped += header.recordCount
        logger.warn(`${OFFSETS_TOPIC}-${p}: skipped an unreadable batch at offset ${header.baseOffset} (${(err as Error).message})`)
      }
      at += size
    }
    if (at === 0) break
  }
  return skipped
}

/** Applies one record; false when it is of a kind or version this broker does not know. */
function apply(state: LoadedGroupState, pending: Map<string, LoadedPendingOffset>, keyBytes: Buffer | null, value: Buffer | null): boolean {
  if (keyBytes === null) return false
  const key = decodeKey(keyBytes)
  if (!key) return false
  const sequence = state.nextSequence++
  switch (key.kind) {
    case 'offset': {
      const byTopic = state.offsets.get(key.groupId) ?? new Map<string, Map<number, LoadedOffset>>()
      const byPartition = byTopic.get(key.topic) ?? new Map<number, LoadedOffset>()
      if (value === null) {
        byPartition.delete(key.partition)
      } else {
        const decoded = decodeOffsetValue(value)
        if (!decoded) return false
        byPartition.set(key.partition, { ...decoded, sequence })
      }
      if (byPartition.size > 0) byTopic.set(key.topic, byPartition)
      else byTopic.delete(key.topic)
      if (byTopic.size > 0) state.offsets.set(key.groupId, byTopic)
      else state.offsets.delete(key.groupId)
      return true
    }
    case 'group': {
      if (value === null) {
        state.groups.delete(key.groupId)
        return true
      }
      const decoded = decodeGroupValue(value)
      if (!decoded) return false
      state.groups.set(key.groupId, decoded)
      return true
    }
    case 'pendingTxnOffset': {
      const id = `${key.groupId}\0${key.topic}\0${key.partition}\0${key.producerId}`
      if (value === null) {
        pending.delete(id)
        return true
      }
      const decoded = decodePendingOffsetValue(value)
      if (!decoded) return false
      pending.delete(id)
      pending.set(id, { groupId: key.groupId, topic: key.topic, partition: key.partition, producerId: key.producerId, value: decoded, sequence })
      return true
    }
  }
}

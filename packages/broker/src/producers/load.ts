import { join } from 'node:path'
import type { PartitionLog } from '../log/partition-log.js'
import { AbortedTxnIndex } from './aborted-index.js'
import { PartitionProducerState } from './partition-state.js'
import { decodeSnapshot, deleteSnapshotsAbove, listSnapshots, snapshotFileName, writeSnapshot } from './snapshot.js'
import { replayLog } from './stored-batches.js'

/** The base offset of the segment holding `offset` (the first segment's when none does). */
export function segmentBaseFor(log: PartitionLog, offset: number): number {
  const segments = log.segments
  for (let i = segments.length - 1; i > 0; i--) if (segments[i]!.baseOffset <= offset) return segments[i]!.baseOffset
  return segments[0]!.baseOffset
}

/**
 * Writes a snapshot of `state` at its current offset, logging instead of throwing: a missing
 * snapshot only makes the next rebuild read more of the log.
 */
export function snapshotQuietly(state: PartitionProducerState, offset = state.nextOffset): void {
  const log = state.log
  try {
    writeSnapshot(log.storage, log.dir, offset, state.entries.values())
  } catch (err) {
    log.logger.error(`${log.name}: writing the producer state snapshot at offset ${offset} failed`, err)
  }
}

/**
 * Builds a partition's producer state from its files and its log:
 *
 * - no snapshot at all: the partition has never had its producer state tracked (every Produce and
 *   marker append tracks it first, and tracking starts by writing a snapshot), so no producer-id
 *   batch exists in it and the state is empty at the log end; an empty snapshot is written there.
 *   `replayWithoutSnapshot` (after a truncation removed every snapshot) reads the log instead;
 * - otherwise the newest readable snapshot at or below the log end (newer ones describe data lost
 *   in a crash and are deleted; unreadable ones are deleted with a warning), then every batch after
 *   it is replayed from the log; when no snapshot is usable the whole log is replayed.
 *
 * Data written before the partition was ever tracked (by a broker version without producer state)
 * is taken as having no producers.
 *
 * The aborted-transaction index is read from the `.txnindex` files; markers replayed from the log
 * add what a crash kept out of them. A fresh snapshot is written when anything was replayed.
 *
 * @throws KafkaError from the log when reading it fails.
 */
export function loadPartitionState(log: PartitionLog, replayWithoutSnapshot = false): PartitionProducerState {
  const { storage, dir } = log
  const end = log.logEndOffset
  const state = new PartitionProducerState(log, AbortedTxnIndex.load(storage, dir, end, log.logger), end)
  const tracked = listSnapshots(storage, dir).length > 0
  deleteSnapshotsAbove(storage, dir, end)
  const snapshots = listSnapshots(storage, dir)
  if (!tracked && !replayWithoutSnapshot) {
    snapshotQuietly(state, end)
    return state
  }
  let from = log.logStartOffset
  let restored = false
  for (const offset of [...snapshots].reverse()) {
    const path = join(dir, snapshotFileName(offset))
    try {
      state.restore(decodeSnapshot(storage.readAll(path) ?? Buffer.alloc(0)), offset)
      from = offset
      restored = true
      break
    } catch (err) {
      log.logger.warn(`${log.name}: ignoring the unreadable producer snapshot ${path}: ${(err as Error).message}`)
      storage.remove(path)
    }
  }
  if (!restored) state.restore([], from)
  const replayed = replayLog(log, from, (batch) => state.apply(batch, segmentBaseFor(log, batch.baseOffset)))
  state.nextOffset = end
  if (replayed > 0 || !restored) {
    log.logger.info(`${log.name}: rebuilt producer state from ${restored ? `the snapshot at offset ${from}` : 'the start of the log'} and ${replayed} batch(es) after it`)
    snapshotQuietly(state, end)
  }
  return state
}

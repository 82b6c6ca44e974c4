import { join } from 'node:path'
import { DecodeError, Reader, Writer, crc32c } from '@tributary/protocol'
import { parseSegmentFileName, segmentFileName } from '../log/segment.js'
import type { LogStorage } from '../log/storage.js'
import { CACHED_BATCHES, type ProducerEntry } from './producer-entry.js'

/**
 * Producer state snapshots: `<offset>.snapshot` files in the partition directory, as Kafka names
 * them, where the offset is the log end offset the snapshot describes (state after every batch
 * below it). Our own format, version 1, big-endian:
 *
 * ```
 * version int16 (1) | crc uint32 (CRC-32C of everything after it) | count int32 | entry * count
 * entry: producerId int64 | epoch int16 | coordinatorEpoch int32 | currentTxnFirstOffset int64
 *        | lastTimestamp int64 | batchCount int8 | batch * batchCount
 * batch: firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64 | timestamp int64
 * ```
 *
 * Unlike Kafka's snapshots, which keep only each producer's last batch, all five cached batches are
 * kept, so any retry in flight across a restart is still recognised as a duplicate.
 */

/** The snapshot format version this broker writes and reads. */
export const SNAPSHOT_VERSION = 1
/** Snapshots kept per partition; older ones are deleted when a new one is written. */
export const SNAPSHOTS_KEPT = 2

const SUFFIX = '.snapshot'

/** `00000000000000000042.snapshot` for offset 42. */
export function snapshotFileName(offset: number): string {
  return segmentFileName(offset, SUFFIX)
}

/** The offsets of the snapshots in `dir`, ascending. */
export function listSnapshots(storage: LogStorage, dir: string): number[] {
  const offsets: number[] = []
  for (const name of storage.list(dir)) {
    const offset = parseSegmentFileName(name, SUFFIX)
    if (offset !== undefined) offsets.push(offset)
  }
  return offsets.sort((a, b) => a - b)
}

/**
 * A number as an int64, saturated: state taken from a client's batch (a timestamp of 2^63-1, read
 * as a number) can round up past int64, and a snapshot must still be written.
 */
function int64(n: number): bigint {
  return n >= 2 ** 63 ? 2n ** 63n - 1n : BigInt(n)
}

/** Encodes the entries as a snapshot file's content. */
export function encodeSnapshot(entries: Iterable<ProducerEntry>): Buffer {
  const body = new Writer(1024)
  const list = [...entries]
  body.int32(list.length)
  for (const e of list) {
    body.int64(e.producerId).int16(e.epoch).int32(e.coordinatorEpoch)
    body.int64(int64(e.currentTxnFirstOffset)).int64(int64(e.lastTimestamp))
    body.int8(e.batches.length)
    for (const b of e.batches) body.int32(b.firstSeq).int32(b.lastSeq).int64(int64(b.firstOffset)).int64(int64(b.lastOffset)).int64(int64(b.timestamp))
  }
  const bytes = body.toBuffer()
  const out = Buffer.allocUnsafe(6 + bytes.length)
  out.writeInt16BE(SNAPSHOT_VERSION, 0)
  out.writeUInt32BE(crc32c(bytes), 2)
  bytes.copy(out, 6)
  return out
}

/**
 * Decodes a snapshot file's content.
 *
 * @throws DecodeError for an unknown version, a CRC mismatch or truncated content.
 */
export function decodeSnapshot(buf: Buffer): ProducerEntry[] {
  if (buf.length < 6) throw new DecodeError(`A producer snapshot needs at least 6 bytes, this one has ${buf.length}`)
  const version = buf.readInt16BE(0)
  if (version !== SNAPSHOT_VERSION) throw new DecodeError(`Unknown producer snapshot version ${version}; this broker reads version ${SNAPSHOT_VERSION}`)
  const body = buf.subarray(6)
  if (crc32c(body) !== buf.readUInt32BE(2)) throw new DecodeError('The producer snapshot is corrupt: its CRC-32C does not match')
  const r = new Reader(body)
  const count = r.int32()
  if (count < 0 || count * 35 > r.remaining) throw new DecodeError(`The producer snapshot claims ${count} entries in ${r.remaining} bytes`)
  const entries: ProducerEntry[] = []
  for (let i = 0; i < count; i++) {
    const producerId = r.int64()
    const epoch = r.int16()
    const coordinatorEpoch = r.int32()
    const currentTxnFirstOffset = Number(r.int64())
    const lastTimestamp = Number(r.int64())
    const batchCount = r.int8()
    if (batchCount < 0 || batchCount > CACHED_BATCHES) throw new DecodeError(`A producer snapshot entry holds ${batchCount} batches; at most ${CACHED_BATCHES} are kept`)
    const batches = []
    for (let j = 0; j < batchCount; j++) {
      batches.push({ firstSeq: r.int32(), lastSeq: r.int32(), firstOffset: Number(r.int64()), lastOffset: Number(r.int64()), timestamp: Number(r.int64()) })
    }
    entries.push({ producerId, epoch, coordinatorEpoch, currentTxnFirstOffset, lastTimestamp, batches })
  }
  if (r.remaining !== 0) throw new DecodeError(`The producer snapshot has ${r.remaining} bytes after its last entry`)
  return entries
}

/**
 * Writes the snapshot for `offset` atomically and deletes all but the newest {@link SNAPSHOTS_KEPT}.
 *
 * @throws the storage error when the write fails (older snapshots are then left alone).
 */
export function writeSnapshot(storage: LogStorage, dir: string, offset: number, entries: Iterable<ProducerEntry>): void {
  storage.writeAtomic(join(dir, snapshotFileName(offset)), encodeSnapshot(entries))
  const offsets = listSnapshots(storage, dir)
  for (const old of offsets.slice(0, Math.max(0, offsets.length - SNAPSHOTS_KEPT))) storage.remove(join(dir, snapshotFileName(old)))
}

/** Deletes the snapshots describing offsets past `offset` (the log was cut below them). */
export function deleteSnapshotsAbove(storage: LogStorage, dir: string, offset: number): void {
  for (const o of listSnapshots(storage, dir)) if (o > offset) storage.remove(join(dir, snapshotFileName(o)))
}

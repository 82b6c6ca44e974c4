import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../log/memory-store.js'
import type { ProducerEntry } from './producer-entry.js'
import { SNAPSHOTS_KEPT, decodeSnapshot, deleteSnapshotsAbove, encodeSnapshot, listSnapshots, snapshotFileName, writeSnapshot } from './snapshot.js'

const entries: ProducerEntry[] = [
  { producerId: 4000n, epoch: 3, coordinatorEpoch: 0, currentTxnFirstOffset: 17, lastTimestamp: 1_700_000_000_123, batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 17, lastOffset: 21, timestamp: 1_700_000_000_100 }] },
  { producerId: 2n ** 40n, epoch: 0, coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: -1, batches: [] },
]

describe('producer state snapshots', () => {
  it('round-trips entries with all their batches, and names files by offset', () => {
    expect(decodeSnapshot(encodeSnapshot(entries))).toEqual(entries)
    expect(decodeSnapshot(encodeSnapshot([]))).toEqual([])
    expect(snapshotFileName(42)).toBe('00000000000000000042.snapshot')
  })

  it('refuses damaged, truncated or unknown snapshots', () => {
    const bytes = encodeSnapshot(entries)
    const flipped = Buffer.from(bytes)
    flipped[20]! ^= 1
    expect(() => decodeSnapshot(flipped)).toThrow(/CRC/)
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 3))).toThrow()
    const future = Buffer.from(bytes)
    future.writeInt16BE(9, 0)
    expect(() => decodeSnapshot(future)).toThrow(/version 9/)
    expect(() => decodeSnapshot(Buffer.alloc(3))).toThrow(/6 bytes/)
  })

  it(`keeps the newest ${SNAPSHOTS_KEPT} files and drops those past a truncation`, () => {
    const storage = new MemoryStorage()
    storage.mkdirs('/p')
    for (const offset of [5, 10, 20]) writeSnapshot(storage, '/p', offset, entries)
    expect(listSnapshots(storage, '/p')).toEqual([10, 20])
    deleteSnapshotsAbove(storage, '/p', 15)
    expect(listSnapshots(storage, '/p')).toEqual([10])
    expect(decodeSnapshot(storage.readAll('/p/' + snapshotFileName(10))!)).toEqual(entries)
  })
})

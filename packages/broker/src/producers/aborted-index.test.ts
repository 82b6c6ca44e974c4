import { describe, expect, it } from 'vitest'
import { memoryLogger } from '../log/test-helpers.js'
import { MemoryStorage } from '../log/memory-store.js'
import { AbortedTxnIndex } from './aborted-index.js'

function setup() {
  const storage = new MemoryStorage()
  storage.mkdirs('/p')
  const index = AbortedTxnIndex.load(storage, '/p', 1000, memoryLogger())
  return { storage, index }
}

describe('the aborted transaction index', () => {
  it('reports aborted transactions overlapping a fetched range, stopping once the partition was stable past it', () => {
    const { index } = setup()
    // Producer 1 aborts [10, 20] while producer 2 is open from 5, then producer 2 aborts [5, 40].
    index.append({ producerId: 1n, firstOffset: 10, lastOffset: 20, lastStableOffset: 5 }, 0)
    index.append({ producerId: 2n, firstOffset: 5, lastOffset: 40, lastStableOffset: 41 }, 0)
    index.append({ producerId: 3n, firstOffset: 60, lastOffset: 70, lastStableOffset: 71 }, 50)
    const ids = (from: number, to: number) => index.collect(from, to).map((a) => `${a.producerId}@${a.firstOffset}`)
    expect(ids(0, 15)).toEqual(['1@10', '2@5'])
    expect(ids(21, 30)).toEqual(['2@5'])
    expect(ids(41, 65)).toEqual(['3@60'])
    expect(ids(0, 8)).toEqual(['2@5'])
    expect(ids(71, 100)).toEqual([])
    // Re-indexing what is already there (a replay after a crash) changes nothing.
    index.append({ producerId: 1n, firstOffset: 10, lastOffset: 20, lastStableOffset: 5 }, 0)
    expect(index.all()).toHaveLength(3)
  })

  it('persists entries in per-segment .txnindex files, and forgets them on truncation and retention', () => {
    const { storage, index } = setup()
    index.append({ producerId: 1n, firstOffset: 10, lastOffset: 20, lastStableOffset: 21 }, 0)
    index.append({ producerId: 2n, firstOffset: 50, lastOffset: 60, lastStableOffset: 61 }, 50)
    index.append({ producerId: 3n, firstOffset: 70, lastOffset: 80, lastStableOffset: 81 }, 50)
    expect(storage.list('/p').sort()).toEqual(['00000000000000000000.txnindex', '00000000000000000050.txnindex'])
    expect(storage.readAll('/p/00000000000000000050.txnindex')!.length).toBe(68)
    const reloaded = AbortedTxnIndex.load(storage, '/p', 75, memoryLogger())
    expect(reloaded.all().map((a) => a.producerId)).toEqual([1n, 2n])
    expect(storage.readAll('/p/00000000000000000050.txnindex')!.length).toBe(34)
    reloaded.prune(30)
    expect(reloaded.all().map((a) => a.producerId)).toEqual([2n])
    expect(storage.list('/p')).toEqual(['00000000000000000050.txnindex'])
    expect(AbortedTxnIndex.load(storage, '/p', 1000, memoryLogger()).all()).toEqual([{ producerId: 2n, firstOffset: 50, lastOffset: 60, lastStableOffset: 61 }])
  })
})

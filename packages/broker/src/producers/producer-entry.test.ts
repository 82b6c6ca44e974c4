import { describe, expect, it } from 'vitest'
import { CACHED_BATCHES, addBatch, findDuplicate, isNextSequence, lastSequence, lastSequenceOf, newEntry, updateEpoch } from './producer-entry.js'

const MAX = 2 ** 31 - 1

describe('producer entries', () => {
  it('numbers sequences as producers do, wrapping from 2^31-1 to 0', () => {
    expect(lastSequenceOf(0, 0)).toBe(0)
    expect(lastSequenceOf(10, 4)).toBe(14)
    expect(lastSequenceOf(MAX, 0)).toBe(MAX)
    expect(lastSequenceOf(MAX, 1)).toBe(0)
    expect(lastSequenceOf(MAX - 1, 3)).toBe(1)
    expect(isNextSequence(4, 5)).toBe(true)
    expect(isNextSequence(MAX, 0)).toBe(true)
    expect(isNextSequence(-1, 0)).toBe(true)
    expect(isNextSequence(4, 6)).toBe(false)
    expect(isNextSequence(MAX, 1)).toBe(false)
  })

  it('keeps the last five batches of the current epoch and finds exact retries among them', () => {
    const e = newEntry(7n)
    updateEpoch(e, 2)
    for (let i = 0; i < 7; i++) addBatch(e, { firstSeq: i * 10, lastSeq: i * 10 + 9, firstOffset: i * 100, lastOffset: i * 100 + 9, timestamp: 1000 + i })
    expect(e.batches).toHaveLength(CACHED_BATCHES)
    expect(e.batches[0]!.firstSeq).toBe(20)
    expect(lastSequence(e)).toBe(69)
    expect(e.lastTimestamp).toBe(1006)
    expect(findDuplicate(e, 2, 30, 39)?.firstOffset).toBe(300)
    expect(findDuplicate(e, 2, 30, 38)).toBeUndefined()
    expect(findDuplicate(e, 2, 10, 19)).toBeUndefined()
    expect(findDuplicate(e, 3, 30, 39)).toBeUndefined()
    updateEpoch(e, 3)
    expect(e.batches).toEqual([])
    expect(lastSequence(e)).toBe(-1)
  })
})

import { describe, expect, it } from 'vitest'
import { PartitionSequences, addSequence, sequenceErrorVerdict } from './sequence-state.js'

describe('sequence numbers', () => {
  it('wrap from 2^31 - 1 to 0 as Kafka does', () => {
    expect(addSequence(5, 3)).toBe(8)
    expect(addSequence(0x7ffffffe, 1)).toBe(0x7fffffff)
    expect(addSequence(0x7fffffff, 1)).toBe(0)
    expect(addSequence(0x7ffffffe, 5)).toBe(3)
  })

  it('are taken per batch and acknowledged in order, even when acknowledgements arrive out of order', () => {
    const s = new PartitionSequences()
    const a = { done: false }
    const b = { done: false }
    expect(s.take(10, a)).toBe(0)
    expect(s.take(5, b)).toBe(10)
    expect(s.next).toBe(15)
    s.acknowledged(10, 14)
    s.acknowledged(0, 9)
    expect(s.lastAcked).toBe(14)
    expect(s.settled).toBe(true)
    expect(s.isAcknowledged(9)).toBe(true)
    expect(s.isAcknowledged(15)).toBe(false)
  })

  it('keep at most five batches outstanding from the oldest unfinished one', () => {
    const s = new PartitionSequences()
    const batches = Array.from({ length: 6 }, () => ({ done: false }))
    // The first batch goes alone, until the broker acknowledged it.
    s.take(1, batches[0]!)
    expect(s.windowOpen).toBe(false)
    s.acknowledged(0, 0)
    for (const b of batches.slice(1, 5)) s.take(1, b)
    batches[0]!.done = false
    expect(s.windowOpen).toBe(false)
    // Later batches finishing do not open the window while the oldest is outstanding.
    for (const b of batches.slice(1, 5)) b.done = true
    expect(s.windowOpen).toBe(false)
    batches[0]!.done = true
    expect(s.windowOpen).toBe(true)
    s.take(1, batches[5]!)
    s.untake(5, batches[5]!)
    expect(s.next).toBe(5)
  })

  it('retry a refused batch while an earlier one is outstanding, and reset otherwise', () => {
    const s = new PartitionSequences()
    s.take(10, { done: false })
    s.take(10, { done: false })
    expect(sequenceErrorVerdict(s, 10)).toBe('retry')
    expect(sequenceErrorVerdict(s, 0)).toBe('reset')
    s.acknowledged(0, 9)
    expect(sequenceErrorVerdict(s, 10)).toBe('reset')
    s.unresolved = true
    expect(sequenceErrorVerdict(s, 20)).toBe('reset')
    s.reset()
    expect([s.next, s.lastAcked, s.unresolved, s.windowOpen]).toEqual([0, -1, false, true])
  })
})

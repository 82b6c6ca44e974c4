import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { hopping } from '../windows/hopping.js'
import { session } from '../windows/session.js'
import { tumbling } from '../windows/tumbling.js'
import { windowedAggregate } from './windowed-aggregate.js'
import { windowedCount } from './windowed-count.js'

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
const at = (timestamp: number, key = 'k', value = 1) => ({ key, value, timestamp })
const out = (start: number, end: number, value: number | null, timestamp: number, key = 'k') => ({ key, window: { start, end }, value, timestamp })

describe('windowed operators (marbles)', () => {
  it('tumbling: counts per window, takes late records within grace, drops and reports those beyond it', () => {
    const late: number[] = []
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // size 10, grace 5. Stream time goes 3, 12, (8: window [0,10) open until 15), 16, (9: closed at 15 → late), 21
      const source = hot('-a-b-c-d-e-f-|', { a: at(3), b: at(12), c: at(8), d: at(16), e: at(9), f: at(21) })
      const counted = source.pipe(windowedCount(tumbling({ sizeMs: 10, graceMs: 5 }), { onLate: (r) => late.push(r.timestamp) }))
      expectObservable(counted).toBe('-a-b-c-d---f-|', {
        a: out(0, 10, 1, 3),
        b: out(10, 20, 1, 12),
        c: out(0, 10, 2, 8),
        d: out(10, 20, 2, 16),
        f: out(20, 30, 1, 21),
      })
      expectSubscriptions(source.subscriptions).toBe('^------------!')
    })
    expect(late).toEqual([9])
  })

  it('hopping: a record updates every window containing it; late only for the windows already closed', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // size 10, advance 5, grace 0: t=7 is in [0,10) and [5,15); at stream time 12, t=6 → [0,10) closed, [5,15) open
      const source = cold('a-----b-----c-|', { a: at(7), b: at(12), c: at(6) })
      expectObservable(source.pipe(windowedCount(hopping({ sizeMs: 10, advanceMs: 5 })))).toBe('(ab)--(cd)--e-|', {
        a: out(0, 10, 1, 7),
        b: out(5, 15, 1, 7),
        c: out(5, 15, 2, 12),
        d: out(10, 20, 1, 12),
        e: out(5, 15, 3, 6),
      })
    })
  })

  it('session: merges sessions a record bridges, emitting the merged-away sessions with null', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // gap 5: 0 and 10 are separate sessions; 5 bridges them into [0,10]
      const source = cold('a-b-c----|', { a: at(0), b: at(10), c: at(5) })
      expectObservable(source.pipe(windowedCount(session({ gapMs: 5, graceMs: 100 })))).toBe('a-b-(cde)|', {
        a: out(0, 0, 1, 0),
        b: out(10, 10, 1, 10),
        c: out(0, 0, null, 5),
        d: out(10, 10, null, 5),
        e: out(0, 10, 3, 5),
      })
    })
  })

  it('session: drops a record whose own session would have closed past the grace period', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // gap 5, grace 2: at stream time 20, t=12 → 12+5+2 = 19 < 20: late; t=14 → 21 ≥ 20: accepted
      const source = cold('a-b-c|', { a: at(20), b: at(12), c: at(14) })
      expectObservable(source.pipe(windowedCount(session({ gapMs: 5, graceMs: 2 })))).toBe('a---c|', { a: out(20, 20, 1, 20), c: out(14, 14, 1, 14) })
    })
  })

  it('windowedAggregate keeps keys apart and aggregates values', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a: at(1, 'x', 5), b: at(2, 'y', 7), c: at(3, 'x', 1) })
      const sums = source.pipe(windowedAggregate(tumbling({ sizeMs: 10 }), () => 0, (sum, r) => sum + r.value))
      expectObservable(sums).toBe('a-b-c|', { a: out(0, 10, 5, 1, 'x'), b: out(0, 10, 7, 2, 'y'), c: out(0, 10, 6, 3, 'x') })
      expectSubscriptions(source.subscriptions).toBe('^----!')
    })
  })

  it('validates window definitions', () => {
    expect(() => tumbling({ sizeMs: 0 })).toThrow(/sizeMs must be a positive/)
    expect(() => hopping({ sizeMs: 10, advanceMs: 20 })).toThrow(/must not exceed sizeMs/)
    expect(() => session({ gapMs: 5, graceMs: -1 })).toThrow(/graceMs must be a non-negative/)
  })
})

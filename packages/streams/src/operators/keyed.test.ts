import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { aggregate } from './aggregate.js'
import { count } from './count.js'
import { reduce } from './reduce.js'

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
const rec = (key: string | null, value: number, timestamp = 0) => ({ key, value, timestamp })

describe('keyed stateful operators (marbles)', () => {
  it('count() emits the running count of each key and skips records without a key', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-n-a-|', { a: rec('x', 1, 10), b: rec('y', 1, 20), n: rec(null, 1, 30) })
      expectObservable(source.pipe(count())).toBe('-1-2---3-|', {
        1: { key: 'x', value: 1, timestamp: 10 },
        2: { key: 'y', value: 1, timestamp: 20 },
        3: { key: 'x', value: 2, timestamp: 10 },
      })
      expectSubscriptions(source.subscriptions).toBe('^--------!')
    })
  })

  it('reduce() starts each key with its first value and folds the rest', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d|', { a: rec('x', 3), b: rec('x', 5), c: rec('y', 2), d: rec('x', 4) })
      expectObservable(source.pipe(reduce((max, v) => Math.max(max, v)))).toBe('a-b-c-d|', {
        a: { key: 'x', value: 3, timestamp: 0 },
        b: { key: 'x', value: 5, timestamp: 0 },
        c: { key: 'y', value: 2, timestamp: 0 },
        d: { key: 'x', value: 5, timestamp: 0 },
      })
      expectSubscriptions(source.subscriptions).toBe('^------!')
    })
  })

  it('aggregate() folds records into an initial value per key; unsubscribing ends the source subscription', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-a-b-', { a: rec('x', 2), b: rec('y', 7) })
      const sums = source.pipe(aggregate(() => ({ n: 0, sum: 0 }), (acc, r) => ({ n: acc.n + 1, sum: acc.sum + r.value })))
      expectObservable(sums, '^----!').toBe('-a-b-', {
        a: { key: 'x', value: { n: 1, sum: 2 }, timestamp: 0 },
        b: { key: 'y', value: { n: 1, sum: 7 }, timestamp: 0 },
      })
      expectSubscriptions(source.subscriptions).toBe('^----!')
    })
  })

  it('propagates an aggregator error and unsubscribes from the source', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-a-|', { a: rec('x', 1), b: rec('x', -1) })
      const failing = source.pipe(
        aggregate(
          () => 0,
          (sum, r) => {
            if (r.value < 0) throw new Error('negative')
            return sum + r.value
          },
        ),
      )
      expectObservable(failing).toBe('-a-#', { a: { key: 'x', value: 1, timestamp: 0 } }, new Error('negative'))
      expectSubscriptions(source.subscriptions).toBe('^--!')
    })
  })

  it('keeps state per subscription outside a runner', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-a|', { a: rec('x', 1) })
      const counted = source.pipe(count())
      expectObservable(counted).toBe('a-b|', { a: { key: 'x', value: 1, timestamp: 0 }, b: { key: 'x', value: 2, timestamp: 0 } })
      expectObservable(counted).toBe('a-b|', { a: { key: 'x', value: 1, timestamp: 0 }, b: { key: 'x', value: 2, timestamp: 0 } })
    })
  })
})

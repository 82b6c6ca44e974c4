import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { ProcessingScope, currentScope, runInScope } from '../scope/processing-scope.js'
import { mapAsync } from './map-async.js'

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))

describe('mapAsync', () => {
  it('runs projections one at a time by default, in order (marbles)', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b----|', { a: 1, b: 2 })
      const inners = { 1: cold('--x|', { x: 10 }), 2: cold('-y|', { y: 20 }) }
      const result = source.pipe(mapAsync((n: number) => inners[n as 1 | 2]))
      expectObservable(result).toBe('---x-y--|', { x: 10, y: 20 })
      expectSubscriptions(source.subscriptions).toBe('^-------!')
      expectSubscriptions(inners[1].subscriptions).toBe('-^--!')
      expectSubscriptions(inners[2].subscriptions).toBe('----^-!')
    })
  })

  it('runs up to `concurrency` projections at once', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-|', { a: 1, b: 2 })
      const inners = { 1: cold('----x|', { x: 10 }), 2: cold('-y|', { y: 20 }) }
      expectObservable(source.pipe(mapAsync((n: number) => inners[n as 1 | 2], { concurrency: 2 }))).toBe('----yx|', { x: 10, y: 20 })
      expectSubscriptions(inners[1].subscriptions).toBe('-^----!')
      expectSubscriptions(inners[2].subscriptions).toBe('---^-!')
    })
  })

  it('keeps the input record in flight until its projection completes and emits in its scope', async () => {
    const settled: number[] = []
    const scope = new ProcessingScope('t', 0, 7, (s) => settled.push(s.offset))
    const seen: (number | undefined)[] = []
    let resolve!: (v: string) => void
    const { Subject } = await import('rxjs')
    const input = new Subject<number>()
    input.pipe(mapAsync(() => new Promise<string>((r) => (resolve = r)))).subscribe(() => seen.push(currentScope()?.offset))
    runInScope(scope, () => input.next(1))
    scope.close()
    expect(settled).toEqual([])
    resolve('done')
    await new Promise((r) => setTimeout(r, 0))
    expect(seen).toEqual([7])
    expect(settled).toEqual([7])
  })
})

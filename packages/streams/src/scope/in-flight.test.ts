import { describe, expect, it } from 'vitest'
import { InFlight } from './in-flight.js'
import { ProcessingScope, currentScope, runInScope } from './processing-scope.js'

describe('ProcessingScope', () => {
  it('settles once processing returned and every hold was released; a rejected hold fails it', async () => {
    const settled: unknown[] = []
    const scope = new ProcessingScope('t', 0, 5, (_s, error) => settled.push(error ?? 'ok'))
    const release = scope.hold()
    let reject!: (e: Error) => void
    scope.track(new Promise((_, r) => (reject = r)))
    scope.close()
    release()
    release()
    expect(settled).toEqual([])
    reject(new Error('send failed'))
    await Promise.resolve()
    await Promise.resolve()
    expect(settled).toEqual([new Error('send failed')])
    expect(() => scope.hold()).toThrow(/after its processing had finished/)
  })

  it('runInScope makes a scope current and restores the previous one', () => {
    const outer = new ProcessingScope('t', 0, 1)
    const inner = new ProcessingScope('t', 0, 2)
    const seen: (number | undefined)[] = []
    runInScope(outer, () => {
      seen.push(currentScope()?.offset)
      runInScope(inner, () => seen.push(currentScope()?.offset))
      seen.push(currentScope()?.offset)
    })
    seen.push(currentScope()?.offset)
    expect(seen).toEqual([1, 2, 1, undefined])
  })
})

describe('InFlight', () => {
  it('pauses a full partition (between deliveries) and resumes it at half', () => {
    const calls: string[] = []
    const flows = new InFlight(4, { pause: (t, p) => calls.push(`pause ${t}-${p}`), resume: (t, p) => calls.push(`resume ${t}-${p}`) })
    const holds = [0, 1, 2, 3].map((offset) => {
      const scope = flows.begin('t', 0, offset)
      const release = scope.hold()
      scope.close()
      return release
    })
    flows.begin('t', 1, 0).close() // other partitions are not affected
    expect(flows.full('t', 0)).toBe(true)
    expect(flows.full('t', 1)).toBe(false)
    expect(flows.pauseIfFull('t', 0)).toBe(true)
    expect(flows.pauseIfFull('t', 1)).toBe(false)
    expect(calls).toEqual(['pause t-0'])
    holds[0]!()
    expect(calls).toEqual(['pause t-0'])
    holds[1]!()
    expect(calls).toEqual(['pause t-0', 'resume t-0'])
    expect(flows.flow('t', 0).open).toBe(2)
  })

  it('commits only up to the first record that has not settled', () => {
    const flows = new InFlight(100, { pause: () => {}, resume: () => {} })
    const a = flows.begin('t', 0, 10)
    const b = flows.begin('t', 0, 11)
    const c = flows.begin('t', 0, 12)
    const holdB = b.hold()
    for (const s of [a, b, c]) s.close()
    expect(flows.flow('t', 0).committable()).toBe(11)
    holdB()
    expect(flows.flow('t', 0).committable()).toBe(13)
  })

  it('resolves whenIdle once every record has settled; reset forgets what is in flight', async () => {
    const flows = new InFlight(10, { pause: () => {}, resume: () => {} })
    const scope = flows.begin('t', 0, 0)
    const release = scope.hold()
    scope.close()
    let idle = false
    void flows.whenIdle().then(() => (idle = true))
    await Promise.resolve()
    expect(idle).toBe(false)
    release()
    await Promise.resolve()
    expect(idle).toBe(true)
    const stuck = flows.begin('t', 0, 1)
    stuck.hold()
    flows.reset()
    expect(flows.inFlight).toBe(0)
    await flows.whenIdle()
  })
})

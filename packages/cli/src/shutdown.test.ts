import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { waitForStopSignal } from './shutdown.js'

describe('waitForStopSignal', () => {
  it('resolves with the first signal and stops listening', async () => {
    const source = new EventEmitter()
    const stop = waitForStopSignal(source)
    expect(source.listenerCount('SIGINT')).toBe(1)
    expect(source.listenerCount('SIGTERM')).toBe(1)
    source.emit('SIGTERM', 'SIGTERM')
    await expect(stop.signal).resolves.toBe('SIGTERM')
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0)
  })

  it('reports a second signal once, and dispose removes every listener', async () => {
    const source = new EventEmitter()
    const stop = waitForStopSignal(source)
    source.emit('SIGINT', 'SIGINT')
    await stop.signal
    const seen: string[] = []
    stop.onSecondSignal((s) => seen.push(s))
    source.emit('SIGTERM', 'SIGTERM')
    source.emit('SIGINT', 'SIGINT')
    expect(seen).toEqual(['SIGTERM'])
    stop.onSecondSignal((s) => seen.push(s))
    stop.dispose()
    source.emit('SIGINT', 'SIGINT')
    expect(seen).toEqual(['SIGTERM'])
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0)
  })
})

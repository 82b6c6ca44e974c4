import { describe, expect, it } from 'vitest'
import { BufferMemory } from './memory.js'

describe('BufferMemory', () => {
  it('serves reservations in the order they were asked for', async () => {
    const memory = new BufferMemory(100)
    expect(memory.tryReserve(80)).toBe(true)
    const order: string[] = []
    const big = memory.reserve(60, 1000).then(() => order.push('big'))
    const small = memory.reserve(10, 1000).then(() => order.push('small'))
    // There is room for the small one, but the big one asked first.
    expect(memory.tryReserve(10)).toBe(false)
    memory.release(40)
    await big
    memory.release(30)
    await small
    expect(order).toEqual(['big', 'small'])
    expect(memory.available).toBe(20)
  })

  it('gives up after the time limit with BUFFER_EXHAUSTED, and lets the next in line through', async () => {
    const memory = new BufferMemory(50)
    memory.tryReserve(50)
    const started = Date.now()
    await expect(memory.reserve(10, 60)).rejects.toMatchObject({ code: 'BUFFER_EXHAUSTED', retriable: true })
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    expect(memory.exhausted).toBe(false)
  })
})

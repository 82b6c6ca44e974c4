import { KafkaError, KafkaProtocolError } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff.js'
import { retry } from './retry.js'

describe('backoffDelay', () => {
  const opts = { initialMs: 50, maxMs: 1000 }

  it('doubles per attempt from the initial delay and stops at the maximum (no jitter at the midpoint)', () => {
    const mid = () => 0.5
    expect([0, 1, 2, 3, 4, 5, 6, 30].map((a) => backoffDelay(a, opts, mid))).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000])
  })

  it('spreads delays by ±20% jitter, applied after the cap as Kafka does', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(40)
    expect(backoffDelay(0, opts, () => 0.999999)).toBe(60)
    expect(backoffDelay(10, opts, () => 0)).toBe(800)
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(1200)
    const seen = new Set(Array.from({ length: 200 }, () => backoffDelay(2, opts)))
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(160)
    expect(Math.max(...seen)).toBeLessThanOrEqual(240)
    expect(seen.size).toBeGreaterThan(10)
  })

  it('treats a maximum below the initial delay as the initial delay, and 0 as no delay', () => {
    expect(backoffDelay(3, { initialMs: 100, maxMs: 10, jitter: 0 })).toBe(100)
    expect(backoffDelay(3, { initialMs: 0, maxMs: 1000 })).toBe(0)
  })
})

const fast = { retries: 5, retryBackoffMs: 1, retryBackoffMaxMs: 2 }
const retriable = () => new KafkaProtocolError(6)

describe('retry', () => {
  it('retries retriable failures until the operation succeeds', async () => {
    const seen: number[] = []
    const result = await retry(async (attempt) => {
      seen.push(attempt)
      if (attempt < 3) throw retriable()
      return 'ok'
    }, fast)
    expect(result).toBe('ok')
    expect(seen).toEqual([0, 1, 2, 3])
  })

  it('surfaces a non-retriable failure at once', async () => {
    let calls = 0
    const fatal = new KafkaProtocolError(36) // TOPIC_ALREADY_EXISTS
    await expect(retry(async () => { calls++; throw fatal }, fast)).rejects.toBe(fatal)
    expect(calls).toBe(1)
  })

  it('never retries errors that are not Kafka errors, and passes them through unchanged', async () => {
    const bug = new TypeError('x is undefined')
    let calls = 0
    await expect(retry(async () => { calls++; throw bug }, fast)).rejects.toBe(bug)
    expect(calls).toBe(1)
  })

  it('gives up after `retries` retries with the last error', async () => {
    let calls = 0
    const err = await retry(async () => { calls++; throw retriable() }, { ...fast, retries: 2 }).catch((e: unknown) => e)
    expect(calls).toBe(3)
    expect(err).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER' })
  })

  it('gives up when the next backoff would pass the time limit', async () => {
    let calls = 0
    const started = Date.now()
    await expect(retry(async () => { calls++; throw retriable() }, { retries: 1000, retryBackoffMs: 40, retryBackoffMaxMs: 40, timeoutMs: 150 })).rejects.toBeInstanceOf(KafkaError)
    expect(Date.now() - started).toBeLessThan(150)
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(calls).toBeLessThanOrEqual(5)
  })

  it('calls onRetry with each retriable error and waits the backoff between attempts', async () => {
    const delays: number[] = []
    const times: number[] = []
    await retry(
      async (attempt) => {
        times.push(Date.now())
        if (attempt < 2) throw retriable()
      },
      { retries: 5, retryBackoffMs: 30, retryBackoffMaxMs: 1000, random: () => 0.5, onRetry: (_e, _a, d) => void delays.push(d) },
    )
    expect(delays).toEqual([30, 60])
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(55)
  })

  it('stops when its AbortSignal aborts', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    await expect(retry(async () => { throw retriable() }, { retries: 100, retryBackoffMs: 1000, retryBackoffMaxMs: 1000, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' })
  })
})

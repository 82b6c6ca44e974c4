import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `probe` until it returns a value other than undefined; fails loudly after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * Reads from an async iterable until no item has arrived for `idleMs` (or `maxMs` have passed in
 * all): for reading a topic to its end when its end offset also counts transaction markers.
 */
export async function readUntilIdle<T>(source: AsyncIterable<T>, idleMs = 600, maxMs = 10_000): Promise<T[]> {
  const items: T[] = []
  const iterator = source[Symbol.asyncIterator]()
  const deadline = Date.now() + maxMs
  let pending = iterator.next()
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined
    const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)))
    const next = await Promise.race([pending, idle]).finally(() => clearTimeout(timer))
    if (next === 'idle' || next.done) break
    items.push(next.value)
    pending = iterator.next()
  }
  return items
}

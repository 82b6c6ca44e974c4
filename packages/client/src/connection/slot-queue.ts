import { AbortError } from '../errors/client-errors.js'

/**
 * A counting semaphore with a FIFO wait queue: at most `limit` holders at once, the rest served in the
 * order they asked. Used to cap requests in flight on one connection without reordering them.
 */
export class SlotQueue {
  private held = 0
  private readonly queue: { grant(): void; fail(e: unknown): void }[] = []

  constructor(private readonly limit: number) {}

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.held < this.limit && this.queue.length === 0) {
      this.held++
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        fail: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      }
      const onAbort = () => {
        const at = this.queue.indexOf(waiter)
        if (at >= 0) this.queue.splice(at, 1)
        reject(new AbortError(signal!.reason))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(waiter)
    })
  }

  release(): void {
    const next = this.queue.shift()
    if (next) next.grant()
    else this.held = Math.max(0, this.held - 1)
  }

  /** Rejects every waiter (the connection closed). */
  rejectAll(error: unknown): void {
    const waiters = this.queue.splice(0)
    for (const w of waiters) w.fail(error)
  }
}

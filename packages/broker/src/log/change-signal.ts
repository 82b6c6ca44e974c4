import type { StorageLogger } from './logger.js'

/**
 * Wakes whoever waits for a log to change (long-polling fetches): listeners are called
 * synchronously after each append, truncation, close or delete, so they must be cheap.
 */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly logger: StorageLogger,
    private readonly name: string,
  ) {}

  /** Adds a listener; returns its removal. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Resolves true at the next change, false when `signal` aborts first; never rejects. */
  next(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        unsubscribe()
        signal?.removeEventListener('abort', onAbort)
        resolve(value)
      }
      const onAbort = () => done(false)
      const unsubscribe = this.subscribe(() => done(true))
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Calls every listener; one that throws is logged and does not stop the others. */
  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener()
      } catch (err) {
        this.logger.error(`${this.name}: a change listener failed`, err)
      }
    }
  }
}

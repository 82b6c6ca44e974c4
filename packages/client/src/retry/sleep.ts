import { AbortError } from '../errors/client-errors.js'

/**
 * Resolves after `ms`, or rejects with {@link AbortError} as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 1000 }), signal)
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason))
  if (ms <= 0 && !signal) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(new AbortError(signal!.reason))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

import { KafkaError } from '@tributary/protocol'

/** Options of {@link Consumer.close}. */
export interface ConsumerCloseOptions {
  /**
   * How long `close()` may spend on the broker: committing offsets (an auto-commit in flight, the
   * commits of the partitions revoked at close, commits made by `onPartitionsRevoked`) and leaving
   * the group. It counts from when the records being processed when `close()` was called are done
   * (close waits for them, however long they take). When it is up, commits still retrying are given
   * up (logged as warnings naming the partitions, whose records will be delivered again: at least
   * once), LeaveGroup is skipped, connections close and `close()` resolves. A non-negative integer;
   * default 30 000, as the Java client's `close()`.
   */
  timeoutMs?: number
}

/** The default `timeoutMs` of `close()`: the Java consumer's `DEFAULT_CLOSE_TIMEOUT_MS`. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000

/** The longest delay a Node timer takes; a longer `timeoutMs` means no time limit. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** Validates the options of `close()` and returns `timeoutMs`. @throws TypeError naming the option. */
export function closeTimeoutOf(options: ConsumerCloseOptions | undefined): number {
  if (options === undefined) return DEFAULT_CLOSE_TIMEOUT_MS
  if (typeof options !== 'object' || options === null) throw new TypeError(`close() takes an options object ({ timeoutMs }), got ${String(options)}`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`close() option timeoutMs must be a non-negative integer (milliseconds), got ${typeof timeoutMs === 'string' ? JSON.stringify(timeoutMs) : String(timeoutMs)}`)
  }
  return timeoutMs
}

/** Why the close deadline aborts: close() ran out of its `timeoutMs`. */
export function closeTimeoutError(timeoutMs: number): KafkaError {
  return new KafkaError(`close() ran out of time (timeoutMs: ${timeoutMs} ms)`, { code: 'CLOSE_TIMEOUT' })
}

/**
 * Settles as `work` does, or rejects with `signal.reason` as soon as `signal` aborts; `work` is then
 * abandoned (its outcome is ignored). For broker work that must not outlast close()'s `timeoutMs`
 * even while a request or connection attempt is in flight.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {})
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

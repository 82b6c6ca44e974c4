import { KafkaError, isRetriable } from '@tributary/protocol'
import { AbortError } from '../errors/client-errors.js'
import { backoffDelay } from './backoff.js'
import { sleep } from './sleep.js'

/** How {@link retry} repeats an operation; the first three are the client options of the same names. */
export interface RetryOptions {
  /** Retries after the first attempt (0: try once). */
  retries: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  /** Give up once this much time has passed since the first attempt (Kafka's `default.api.timeout.ms`). */
  timeoutMs?: number
  signal?: AbortSignal
  /**
   * Called with each retriable failure before the backoff, e.g. to mark metadata stale. Errors it throws
   * end the retries.
   */
  onRetry?: (error: KafkaError, attempt: number, delayMs: number) => void | Promise<void>
  /** Which failures to retry; defaults to the error's own `retriable` flag. */
  shouldRetry?: (error: KafkaError) => boolean
  /** Source of randomness for the backoff jitter (tests pass a fixed one). */
  random?: () => number
}

/**
 * Runs `operation` until it succeeds, retrying retriable failures with exponential backoff and jitter.
 * A failure that is not retriable (by `error.retriable`, or `shouldRetry`) surfaces at once, as does
 * the last failure when retries or time run out. Thrown values that are not Kafka errors (bugs, a
 * serializer's TypeError) are never retried and surface unchanged.
 *
 * @example
 * ```ts
 * const metadata = await retry(
 *   () => conn.request(MetadataApi, { topics: null }),
 *   { retries: 5, retryBackoffMs: 100, retryBackoffMaxMs: 1000, onRetry: (err) => log.warn(err.message) },
 * )
 * ```
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const started = Date.now()
  const shouldRetry = options.shouldRetry ?? isRetriable
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new AbortError(options.signal.reason)
    try {
      return await operation(attempt)
    } catch (thrown) {
      if (!(thrown instanceof KafkaError)) throw thrown
      const error = thrown
      if (error instanceof AbortError || !shouldRetry(error) || attempt >= options.retries) throw error
      const delay = backoffDelay(attempt, { initialMs: options.retryBackoffMs, maxMs: options.retryBackoffMaxMs }, options.random)
      if (options.timeoutMs !== undefined && Date.now() + delay - started >= options.timeoutMs) throw error
      await options.onRetry?.(error, attempt, delay)
      await sleep(delay, options.signal)
    }
  }
}

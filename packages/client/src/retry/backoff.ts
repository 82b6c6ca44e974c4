/** Exponential backoff settings: Kafka's `*.backoff.ms` / `*.backoff.max.ms` pairs. */
export interface BackoffOptions {
  /** The delay before the first retry (attempt 0). */
  initialMs: number
  /** The delay stops growing here (before jitter). A max below `initialMs` means `initialMs`. */
  maxMs: number
  /** Growth per attempt; Kafka uses 2. */
  multiplier?: number
  /** Relative random spread around the delay; Kafka uses 0.2 (±20%), 0 disables it. */
  jitter?: number
}

/**
 * The delay before retry number `attempt` (0-based), computed as Kafka's clients do:
 * `min(initialMs · multiplier^attempt, maxMs)` scaled by a random factor in `[1 − jitter, 1 + jitter)`.
 * Jitter spreads reconnecting clients apart so they do not hit a recovering broker in lockstep.
 *
 * @example
 * ```ts
 * backoffDelay(0, { initialMs: 50, maxMs: 1000 }) // 40..60
 * backoffDelay(10, { initialMs: 50, maxMs: 1000 }) // 800..1200
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { initialMs, multiplier = 2, jitter = 0.2 } = options
  const maxMs = Math.max(options.maxMs, initialMs)
  if (initialMs <= 0) return 0
  const exponent = Math.max(0, Math.min(attempt, 64))
  const base = Math.min(initialMs * multiplier ** exponent, maxMs)
  const factor = jitter > 0 ? 1 - jitter + 2 * jitter * random() : 1
  return Math.round(base * factor)
}

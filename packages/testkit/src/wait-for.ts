/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number
  /** Pause between attempts. Default 20 ms. */
  intervalMs?: number
  /** What is being waited for, for the timeout error. */
  message?: string
}

/**
 * Calls `check` until it passes, and returns its value. It passes when it returns (or resolves to)
 * anything but `false`, `undefined` or `null` without throwing. On timeout, throws an error naming
 * `message` with the last failure as its cause.
 *
 * @example
 * ```ts
 * await waitFor(() => broker.logs.log(topic, 0).logEndOffset === 10, { message: '10 records appended' })
 * const rows = await waitFor(async () => { const r = await query(); expect(r).toHaveLength(3); return r })
 * ```
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<Exclude<T, false>>> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const intervalMs = options.intervalMs ?? 20
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== false && value !== undefined && value !== null) return value as NonNullable<Exclude<T, false>>
      last = undefined
    } catch (err) {
      last = err
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'a condition'
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`, { cause: last })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

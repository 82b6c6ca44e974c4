import { checkDuration, type TimeWindows } from './windows.js'

/**
 * Tumbling windows: back-to-back windows of `sizeMs` (`[0, size)`, `[size, 2·size)`, …), each record in
 * exactly one. A window takes late records until stream time passes its end by `graceMs` (default 0).
 *
 * @example
 * ```ts
 * clicks$.pipe(windowedCount(tumbling({ sizeMs: 60_000, graceMs: 10_000 }), { store: 'clicks-per-minute' }))
 * ```
 * @param options - `sizeMs`: window length; `graceMs`: how long after its end a window accepts late records
 */
export function tumbling(options: { sizeMs: number; graceMs?: number }): TimeWindows {
  const sizeMs = checkDuration('sizeMs', options.sizeMs, true)
  return { kind: 'time', sizeMs, advanceMs: sizeMs, graceMs: checkDuration('graceMs', options.graceMs ?? 0, false) }
}

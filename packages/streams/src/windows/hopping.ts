import { checkDuration, type TimeWindows } from './windows.js'

/**
 * Hopping windows: windows of `sizeMs` starting every `advanceMs` (≤ `sizeMs`), so a record belongs to
 * up to `sizeMs / advanceMs` overlapping windows. A window takes late records until stream time passes
 * its end by `graceMs` (default 0).
 *
 * @example
 * ```ts
 * // five-minute counts, updated every minute
 * views$.pipe(windowedCount(hopping({ sizeMs: 300_000, advanceMs: 60_000 }), { store: 'views-5m' }))
 * ```
 * @param options - `sizeMs`: window length; `advanceMs`: distance between window starts; `graceMs`: lateness allowed
 */
export function hopping(options: { sizeMs: number; advanceMs: number; graceMs?: number }): TimeWindows {
  const sizeMs = checkDuration('sizeMs', options.sizeMs, true)
  const advanceMs = checkDuration('advanceMs', options.advanceMs, true)
  if (advanceMs > sizeMs) throw new RangeError(`advanceMs (${advanceMs}) must not exceed sizeMs (${sizeMs}): records between windows would belong to none`)
  return { kind: 'time', sizeMs, advanceMs, graceMs: checkDuration('graceMs', options.graceMs ?? 0, false) }
}

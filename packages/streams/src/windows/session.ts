import { checkDuration, type SessionWindows } from './windows.js'

/**
 * Session windows: a key's records at most `gapMs` apart form one session; a record that bridges two
 * sessions merges them. A record is dropped as late when its timestamp + `gapMs` + `graceMs` is below
 * the stream time (`graceMs` default 0).
 *
 * @example
 * ```ts
 * visits$.pipe(windowedCount(session({ gapMs: 30 * 60_000 }), { store: 'visits' }))
 * ```
 * @param options - `gapMs`: the inactivity that ends a session; `graceMs`: lateness allowed
 */
export function session(options: { gapMs: number; graceMs?: number }): SessionWindows {
  return { kind: 'session', gapMs: checkDuration('gapMs', options.gapMs, true), graceMs: checkDuration('graceMs', options.graceMs ?? 0, false) }
}

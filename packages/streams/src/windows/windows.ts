/**
 * Fixed-size windows on event time: tumbling (`advanceMs === sizeMs`) or hopping. A window
 * `[start, start + sizeMs)` accepts records until stream time (the highest record timestamp seen in the
 * partition) reaches `start + sizeMs + graceMs`; records for a window closed by then are late and dropped.
 */
export interface TimeWindows {
  readonly kind: 'time'
  readonly sizeMs: number
  readonly advanceMs: number
  readonly graceMs: number
}

/**
 * Session windows: records of a key less than `gapMs` apart (inclusive) belong to one session, whose
 * bounds are its first and last record's timestamps. A record is late, and dropped, when even a session
 * of its own would have closed: when its timestamp + `gapMs` + `graceMs` is below stream time.
 */
export interface SessionWindows {
  readonly kind: 'session'
  readonly gapMs: number
  readonly graceMs: number
}

/** Any window definition accepted by the windowed operators. */
export type Windows = TimeWindows | SessionWindows

/** The starts of the time windows that contain timestamp `t`, oldest first. */
export function windowStartsFor(windows: TimeWindows, t: number): number[] {
  const { sizeMs, advanceMs } = windows
  const last = Math.floor(t / advanceMs) * advanceMs
  const starts: number[] = []
  for (let start = last; start > t - sizeMs && start >= 0; start -= advanceMs) starts.push(start)
  return starts.reverse()
}

/** Checks a duration option: a non-negative (or positive) safe integer. */
export function checkDuration(name: string, value: number, positive: boolean): number {
  if (!Number.isSafeInteger(value) || value < (positive ? 1 : 0)) {
    throw new RangeError(`${name} must be a ${positive ? 'positive' : 'non-negative'} whole number of milliseconds, got ${String(value)}`)
  }
  return value
}

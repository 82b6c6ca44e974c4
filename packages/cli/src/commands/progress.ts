import type { LogDestination } from '../logger.js'

/**
 * Writes `<verb> N records (R records/s)` to `stderr` every `intervalMs`, but only when stderr is a
 * terminal, so piped output stays quiet and parseable. Returns a function that stops it.
 */
export function startProgress(stderr: LogDestination, verb: string, count: () => number, intervalMs = 2_000): () => void {
  if (!stderr.isTTY) return () => {}
  const started = Date.now()
  let last = { at: started, count: 0 }
  const timer = setInterval(() => {
    const now = Date.now()
    const n = count()
    const rate = ((n - last.count) * 1000) / Math.max(1, now - last.at)
    last = { at: now, count: n }
    stderr.write(`${verb} ${n} records (${Math.round(rate)} records/s, ${((now - started) / 1000).toFixed(0)} s)\n`)
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCrashLoop } from './fixtures/crash-loop.js'
import { tempDir } from '@tributary/testkit'

/**
 * The crash loop of docs/reliability.md. `TRIBUTARY_CRASH_LOOP_KILLS` runs more kills (the figure in
 * the docs), `TRIBUTARY_RELIABILITY_REPORT` writes the report as JSON to that path, and
 * `TRIBUTARY_TEST_LOG=1` prints progress.
 */
const KILLS = Number(process.env.TRIBUTARY_CRASH_LOOP_KILLS ?? 20)

describe('crash loop (broker child process, SIGKILL at random)', () => {
  it(`reads every acknowledged record exactly once and in order through ${KILLS} kills and restarts`, async () => {
    const dir = tempDir('tributary-crash-loop-')
    try {
      const report = await runCrashLoop({
        dataDir: dir.path,
        kills: KILLS,
        partitions: 3,
        // Small segments: rolls, closed segments, recovery points and producer snapshots all take
        // part. An fsync per append widens the moment between an append and its answer, so kills
        // often land there and the producer's retries must be recognised as such.
        topicConfigs: { 'segment.bytes': '262144', 'flush.messages': '1' },
        lingerMs: 1,
        progress: process.env.TRIBUTARY_TEST_LOG === '1' ? (line) => console.log(line) : undefined,
      })
      const summary = `${report.kills} kills (${report.startupKills} during start-up) in ${(report.durationMs / 1000).toFixed(1)} s: ${report.acknowledged} acknowledged, ${report.consumed} read, ${report.lost} lost, ${report.duplicated} duplicated, ${report.misplaced} misplaced; ${report.resentBatches} batches resent, ${report.recoveryLines} recovery lines`
      console.log(`crash loop: ${summary}`)
      if (process.env.TRIBUTARY_RELIABILITY_REPORT) writeFileSync(process.env.TRIBUTARY_RELIABILITY_REPORT, JSON.stringify(report, null, 2))
      expect(report.problems, summary).toEqual([])
      expect(report.lost).toBe(0)
      expect(report.duplicated).toBe(0)
      expect(report.misplaced).toBe(0)
      expect(report.consumed).toBe(report.acknowledged)
      // The kills must have hit a busy broker: retries happened and recovery ran.
      expect(report.acknowledged).toBeGreaterThan(KILLS * 100)
      expect(report.resentBatches).toBeGreaterThan(0)
      expect(report.recoveryLines).toBeGreaterThan(0)
    } finally {
      dir.remove()
    }
  }, Math.max(120_000, KILLS * 6_000))
})

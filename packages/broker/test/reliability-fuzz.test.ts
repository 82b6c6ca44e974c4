import { describe, expect, it } from 'vitest'
import { mb, runFuzzSession } from '../fuzz/session.js'

/**
 * The short fuzz run of docs/reliability.md; the long one is `fuzz/run.ts --frames 100000`.
 * `TRIBUTARY_FUZZ_FRAMES` and `TRIBUTARY_FUZZ_SEED` change the run.
 */
const FRAMES = Number(process.env.TRIBUTARY_FUZZ_FRAMES ?? 20_000)
const SEED = Number(process.env.TRIBUTARY_FUZZ_SEED ?? 20_260_101)

/** Generous bounds: a leak grows past them within the run, normal churn stays far below. */
const MAX_PEAK_RSS = 512 * 1024 * 1024
const MAX_RETAINED_GROWTH = 64 * 1024 * 1024

describe('protocol fuzzing (broker child process)', () => {
  it(`survives ${FRAMES} mutated requests of every API and version, keeps serving a well-behaved client, and its memory stays bounded`, async () => {
    const report = await runFuzzSession({ frames: FRAMES, seed: SEED })
    const { campaign, steady, memory } = report
    const summary = `seed ${SEED}: ${campaign.framesSent} frames over ${report.apiVersions} API versions, ${campaign.answered} answered, ${campaign.closedByBroker} connections closed by the broker; RSS peak ${mb(memory.peakRss)}, heap and buffers after GC ${mb(memory.startRetained)} -> ${mb(memory.endRetained)}; steady client ${steady.rounds} rounds, slowest ${steady.slowestMs} ms`
    console.log(`fuzz: ${summary}`)
    expect(report.crashed, summary).toBeUndefined()
    expect(report.errorLines, summary).toEqual([])
    expect(campaign.framesSent).toBe(FRAMES)
    // Every served API and version was a seed; a good share of frames got through decoding to a handler.
    expect(report.apis).toBeGreaterThanOrEqual(34)
    expect(Object.keys(campaign.perApi)).toHaveLength(report.apis)
    expect(campaign.answered).toBeGreaterThan(FRAMES / 10)
    expect(steady.failures, summary).toEqual([])
    expect(steady.rounds).toBeGreaterThan(10)
    expect(memory.peakRss).toBeLessThan(MAX_PEAK_RSS)
    expect(memory.endRetained - memory.startRetained).toBeLessThan(MAX_RETAINED_GROWTH)
  }, 90_000)
})

// The charts in docs/benchmarks/ must be what the recorded results draw, and docs/benchmarks.md must show them.
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderChart } from './chart.ts'
import { BENCHMARKS_PAGE, chartPath, listCharts, listResults, readResults, REPO_ROOT, resultsPath } from './results.ts'

const recorded = listResults()
const rel = (path: string) => relative(REPO_ROOT, path)

describe('committed benchmark charts', () => {
  it('has recorded results to check (docs/benchmarks/results/*.json, written by `npm run bench`)', () => {
    expect(recorded.length).toBeGreaterThan(0)
  })

  it.for(recorded)('docs/benchmarks/%s.svg is what its recorded results draw', async (bench) => {
    const results = readResults(resultsPath(bench))
    expect(results.bench, `${rel(resultsPath(bench))} names bench "${results.bench}"`).toBe(bench)
    const path = chartPath(bench)
    expect(existsSync(path), `${rel(path)} is missing: run \`npm run charts\``).toBe(true)
    const committed = readFileSync(path, 'utf8')
    expect(committed === (await renderChart(results)), `${rel(path)} does not match ${rel(resultsPath(bench))}: run \`npm run charts\``).toBe(true)
  })

  it('has recorded results for every chart', () => {
    const orphans = listCharts().filter((c) => !recorded.includes(c))
    expect(orphans.map((c) => rel(chartPath(c))), 'charts without results: remove them, or record them with `npm run bench -- --only <name>`').toEqual([])
  })

  it('docs/benchmarks.md shows every chart, and only charts that exist', () => {
    const page = readFileSync(BENCHMARKS_PAGE, 'utf8')
    const embedded = [...page.matchAll(/!\[[^\]]+\]\(benchmarks\/([a-z-]+)\.svg\)/g)].map((m) => m[1]!)
    const missing = listCharts().filter((c) => !embedded.includes(c))
    expect(missing.map((c) => `![...](benchmarks/${c}.svg)`), 'docs/benchmarks.md does not embed these charts').toEqual([])
    expect(embedded.filter((c) => !existsSync(chartPath(c))), 'docs/benchmarks.md embeds charts that do not exist').toEqual([])
  })
})

import { writeFileSync } from 'node:fs'
import { renderChart } from './chart.ts'
import { CHARTS_DIR, chartPath, listCharts, listResults, readResults, RESULTS_DIR, resultsPath } from './results.ts'

/** Draws `<chartsDir>/<bench>.svg` from `<resultsDir>/<bench>.json`; returns the chart's path. */
export async function generateChart(bench: string, resultsDir = RESULTS_DIR, chartsDir = CHARTS_DIR): Promise<string> {
  const path = chartPath(bench, chartsDir)
  writeFileSync(path, await renderChart(readResults(resultsPath(bench, resultsDir))))
  return path
}

/**
 * Redraws every chart from the recorded results. Charts without results are reported, not deleted
 * (the suite fails on them until they are removed or their results recorded).
 */
export async function generateCharts(resultsDir = RESULTS_DIR, chartsDir = CHARTS_DIR, log: (line: string) => void = () => {}): Promise<string[]> {
  const benches = listResults(resultsDir)
  const written: string[] = []
  for (const bench of benches) written.push(await generateChart(bench, resultsDir, chartsDir))
  for (const orphan of listCharts(chartsDir).filter((c) => !benches.includes(c))) log(`warning: ${chartPath(orphan, chartsDir)} has no results file ${resultsPath(orphan, resultsDir)}`)
  return written
}

export { chartSpec, formatValue, renderChart, subtitle } from './chart.ts'
export { generateChart, generateCharts } from './generate-charts.ts'
export { type Bar, type ChartData, chartData, MAPPERS } from './mappers.ts'
export {
  BENCHMARKS_PAGE,
  type BenchResults,
  CHARTS_DIR,
  chartPath,
  listCharts,
  listResults,
  readResults,
  RESULTS_DIR,
  resultsJson,
  resultsPath,
  writeResults,
} from './results.ts'

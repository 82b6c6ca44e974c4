// `npm run charts`: redraws docs/benchmarks/<name>.svg from every docs/benchmarks/results/<name>.json.
import { relative } from 'node:path'
import { generateCharts } from './generate-charts.ts'
import { REPO_ROOT } from './results.ts'

const written = await generateCharts(undefined, undefined, (line) => console.warn(line))
for (const path of written) console.log(`wrote ${relative(REPO_ROOT, path)}`)
if (written.length === 0) console.log('no results in docs/benchmarks/results/: run `npm run bench` first')

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
/** Where the charts go: `docs/benchmarks/<name>.svg`. */
export const CHARTS_DIR = join(REPO_ROOT, 'docs', 'benchmarks')
/** Where `npm run bench` records each bench's results: `docs/benchmarks/results/<name>.json`. */
export const RESULTS_DIR = join(CHARTS_DIR, 'results')
/** The page that embeds the charts. */
export const BENCHMARKS_PAGE = join(REPO_ROOT, 'docs', 'benchmarks.md')

/** One bench's recorded run, as `bench/run.ts` writes it. */
export interface BenchResults {
  /** The bench's name in `bench/run.ts` (`protocol`, `broker`, ...): names the JSON and the chart. */
  bench: string
  title: string
  /** The day of the run, `YYYY-MM-DD`. */
  date: string
  /** `process.version` of the run. */
  node: string
  /** The machine's CPUs, e.g. `2 × Intel(R) Xeon(R) CPU @ 2.20GHz`. */
  cpu: string
  /** Versions of the reference clients installed at the time, e.g. `{ "kafkajs": "2.2.4" }`. */
  versions: Record<string, string>
  /** The rows the bench returned, bigints written as numbers. */
  rows: unknown[]
  /** The bench's markdown table, one line per entry (header included). */
  table: string[]
}

export function resultsPath(bench: string, dir = RESULTS_DIR): string {
  return join(dir, `${bench}.json`)
}

export function chartPath(bench: string, dir = CHARTS_DIR): string {
  return join(dir, `${bench}.svg`)
}

/** Results as the JSON text `writeResults` stores: two-space indented, bigints as numbers (or strings past 2^53). */
export function resultsJson(results: BenchResults): string {
  const plain = (_key: string, value: unknown) =>
    typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value
  return `${JSON.stringify(results, plain, 2)}\n`
}

/** Writes `<dir>/<bench>.json`; returns its path. */
export function writeResults(results: BenchResults, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true })
  const path = resultsPath(results.bench, dir)
  writeFileSync(path, resultsJson(results))
  return path
}

/** Reads one results file, checking the fields every chart needs. */
export function readResults(path: string): BenchResults {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<BenchResults>
  for (const key of ['bench', 'title', 'date', 'node', 'cpu'] as const) {
    if (typeof data[key] !== 'string') throw new Error(`${path}: "${key}" must be a string`)
  }
  if (!Array.isArray(data.rows)) throw new Error(`${path}: "rows" must be an array`)
  if (!Array.isArray(data.table)) throw new Error(`${path}: "table" must be an array of lines`)
  return { ...data, versions: data.versions ?? {} } as BenchResults
}

/** The names of the recorded benches (`<dir>/*.json`), sorted. */
export function listResults(dir = RESULTS_DIR): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
}

/** The names of the charts present (`<dir>/*.svg`), sorted. */
export function listCharts(dir = CHARTS_DIR): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .map((f) => f.slice(0, -'.svg'.length))
    .sort()
}

import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { type ChartData, chartData } from './mappers.ts'
import type { BenchResults } from './results.ts'

type LayerSpec = Extract<TopLevelSpec, { layer: unknown }>

const OURS = '#2f6db5'
const REFERENCE = '#a3a3a3'

/** A bar's value label: three significant digits, with k or M past a thousand. */
export function formatValue(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)} M`
  if (n >= 1e4) return `${(n / 1e3).toPrecision(3)} k`
  return n >= 1000 ? n.toFixed(0) : n.toPrecision(3)
}

/** The subtitle: when and where the figures were measured. */
export function subtitle(results: BenchResults): string {
  return `${results.date} · Node ${results.node} · ${results.cpu}`
}

/**
 * The Vega-Lite spec of a horizontal bar chart: one bar per client or variant, grouped into rows
 * (one per operation or mode) when the bench has groups, whiskers for the range over rounds.
 */
export function chartSpec(results: BenchResults, data: ChartData): TopLevelSpec {
  const values = data.bars.map((b, order) => ({
    order,
    group: b.group,
    label: b.label,
    side: b.ours ? 'ours' : 'reference',
    value: b.value,
    low: b.range?.[0] ?? null,
    high: b.range?.[1] ?? null,
    text: formatValue(b.value),
    textAt: Math.max(b.value, b.range?.[1] ?? 0),
  }))
  const sides = [...new Set(values.map((v) => v.side))].sort()
  const groups = [...new Set(values.map((v) => v.group))]
  const ranged = values.some((v) => v.low !== null)
  // One width for every panel's labels, so that the panels' bars and titles line up.
  const labelWidth = Math.max(...values.map((v) => estimateTextWidth(v.label, 11))) + 4
  // Bars as wide as the title above them allows, within bounds.
  const width = Math.max(420, Math.min(600, estimateTextWidth(results.title, 14, true) - labelWidth - 50))
  const panel = (group: string, last: boolean) =>
    ({
      ...(group === '' ? {} : { title: { text: group, fontSize: 12, anchor: 'start', offset: 4 } }),
      width,
      height: { step: 20 },
      transform: [{ filter: { field: 'group', equal: group } }],
      encoding: { y: { field: 'label', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null, axis: { labelLimit: 400, ticks: false, domain: false, minExtent: labelWidth, maxExtent: labelWidth } } },
      layer: [
        {
          mark: { type: 'bar', height: { band: 0.7 } },
          encoding: {
            x: { field: 'value', type: 'quantitative', title: last ? (ranged ? `${data.unit}; lines: slowest to fastest round` : data.unit) : null, axis: { format: '~s', labelExpr: "datum.value === 0 ? '0' : datum.label", grid: true, tickCount: 6, labels: last } },
            color: {
              field: 'side',
              type: 'nominal',
              scale: { domain: sides, range: sides.map((s) => (s === 'ours' ? OURS : REFERENCE)) },
              legend: sides.length > 1 ? { title: null, orient: 'top', labelExpr: "datum.label === 'ours' ? 'ours (Tributary)' : 'reference'" } : null,
            },
          },
        },
        ...(ranged ? [{ mark: { type: 'rule', color: '#333' }, encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } } as const] : []),
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { x: { field: 'textAt', type: 'quantitative' }, text: { field: 'text' } } },
      ],
    }) satisfies Omit<LayerSpec, 'data'>
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: results.title, subtitle: subtitle(results), anchor: 'start', fontSize: 14, subtitleColor: '#555', offset: 12 },
    background: 'white',
    padding: 12,
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 } },
    data: { values },
    vconcat: groups.map((g, i) => panel(g, i === groups.length - 1)),
    spacing: 8,
    resolve: { scale: { x: 'shared', y: 'independent', color: 'shared' } },
  } satisfies TopLevelSpec
}

/**
 * Text widths from a per-character estimate for a Helvetica/Arial-like sans-serif, never measured with
 * a canvas: the same SVG on every machine. (Vega's own fallback, 0.8 em per character, truncates long
 * labels and leaves wide margins.) Slightly generous, for viewers whose sans-serif is wider.
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0
  for (const ch of text) {
    if (/[ijlI.,:;'!|]/.test(ch)) em += 0.28
    else if (/[ ftr()[\]\-]/.test(ch)) em += 0.34
    else if (/[mwMW@]/.test(ch)) em += 0.86
    else if (/[A-Z×→≥]/.test(ch)) em += 0.68
    else em += 0.56
  }
  return Math.ceil(em * fontSize * (bold ? 1.12 : 1) * 1.12)
}

interface TextItem {
  text?: unknown
  fontSize?: number
  fontWeight?: string | number
}
// Vega's documented hook for text measurement (vl-convert sets it too); called per line of a text.
const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: string) => number } }).textMetrics
metrics.width = (item, text) => {
  const t = text ?? item.text
  const line = Array.isArray(t) ? t.join(' ') : String(t ?? '')
  const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600)
  return estimateTextWidth(line, item.fontSize ?? 11, bold)
}

/** Vega-Lite's warnings are errors here: a chart it had to second-guess is not one to commit. */
const strict = vega.logger(vega.Warn, undefined, (_method, _level, args) => {
  throw new Error(`vega-lite: ${args.join(' ')}`)
})

/** Renders one bench's recorded results as an SVG document (deterministic: same results, same bytes). */
export async function renderChart(results: BenchResults): Promise<string> {
  const spec = chartSpec(results, chartData(results.bench, results.rows, results.versions))
  const view = new vega.View(vega.parse(compile(spec, { logger: strict }).spec), { renderer: 'none' })
  try {
    vega.resetSVGDefIds()
    return `${await view.toSVG()}\n`
  } finally {
    view.finalize()
  }
}

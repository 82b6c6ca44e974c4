import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { estimateTextWidth, formatValue, renderChart } from './chart.ts'
import { ROWS, syntheticResults } from './fixtures.ts'
import { generateCharts } from './generate-charts.ts'
import { listCharts, readResults, resultsJson, writeResults } from './results.ts'

const tmp = mkdtempSync(join(tmpdir(), 'bench-charts-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('renderChart', () => {
  it.each(Object.keys(ROWS))('%s: a small, self-contained SVG with the title, subtitle, unit and every label', async (bench) => {
    const results = syntheticResults(bench)
    const svg = await renderChart(results)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.length).toBeLessThan(40_000)
    expect(svg).toContain(`>${results.title}</text>`)
    expect(svg).toContain('>2026-01-02 · Node v20.20.2 · 2 × Test CPU @ 2.20GHz</text>')
    expect(svg).toMatch(bench === 'broker' ? />MB\/s of record values/ : />records\/s/)
    expect(svg).not.toMatch(/…<\/text>/) // no label cut short
    expect(svg).not.toMatch(/<image|href="http/) // nothing fetched when viewed
  })

  it('draws the same bytes for the same results (fresh views, ids reset)', async () => {
    for (const bench of Object.keys(ROWS)) {
      const first = await renderChart(syntheticResults(bench))
      await renderChart(syntheticResults(bench === 'protocol' ? 'consumer' : 'protocol'))
      expect(await renderChart(syntheticResults(bench)), bench).toBe(first)
    }
  })

  it('changes when a figure changes', async () => {
    const results = syntheticResults('producer')
    const changed = syntheticResults('producer', ROWS.producer!.map((r, i) => (i === 0 ? { ...(r as object), recordsPerSecond: 400_000 } : r)))
    expect(await renderChart(changed)).not.toBe(await renderChart(results))
    expect(await renderChart(changed)).toContain('>400 k</text>')
  })

  it('formats values with three significant digits', () => {
    expect([11_400_000, 1_400_000, 534_000, 99_000, 9_900, 513, 32.3].map(formatValue)).toEqual(['11.4 M', '1.40 M', '534 k', '99.0 k', '9900', '513', '32.3'])
  })

  it('estimates wider text as wider', () => {
    expect(estimateTextWidth('mmmm', 11)).toBeGreaterThan(estimateTextWidth('iiii', 11))
    expect(estimateTextWidth('Title', 14, true)).toBeGreaterThan(estimateTextWidth('Title', 14))
  })
})

describe('recording and generating', () => {
  it('writes results as plain JSON (bigints as numbers) and draws a chart per results file', async () => {
    const results = { ...syntheticResults('broker'), rows: ROWS.broker!.map((r) => ({ ...(r as object), records: 3_000_000n })) }
    expect(JSON.parse(resultsJson(results)).rows[0].records).toBe(3_000_000)
    writeResults(results, join(tmp, 'results'))
    writeResults(syntheticResults('consumer'), join(tmp, 'results'))
    expect(readResults(join(tmp, 'results', 'broker.json')).rows[0]).toMatchObject({ records: 3_000_000 })
    const written = await generateCharts(join(tmp, 'results'), tmp)
    expect(written).toEqual([join(tmp, 'broker.svg'), join(tmp, 'consumer.svg')])
    expect(listCharts(tmp)).toEqual(['broker', 'consumer'])
    expect(readFileSync(join(tmp, 'consumer.svg'), 'utf8')).toBe(await renderChart(syntheticResults('consumer')))
  })

  it('refuses a results file without the run details', () => {
    const path = join(tmp, 'bad.json')
    writeResults({ ...syntheticResults('protocol'), bench: 'bad', node: undefined as never }, tmp)
    expect(() => readResults(path)).toThrow(/"node" must be a string/)
  })
})

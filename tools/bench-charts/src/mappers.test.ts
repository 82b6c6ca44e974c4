import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brokerRows, consumerRows, producerRows, protocolRows, ROWS, streamsRows } from './fixtures.ts'
import { type Bar, chartData, MAPPERS } from './mappers.ts'
import { REPO_ROOT } from './results.ts'

const versions = { kafkajs: '2.2.4', '@platformatic/kafka': '1.35.0' }
const summary = (bars: Bar[]) => bars.map((b) => [b.group, b.label, b.ours, b.value])

describe('bench mappers', () => {
  it('has a mapper for every bench bench/run.ts runs', () => {
    const runner = readFileSync(join(REPO_ROOT, 'bench', 'run.ts'), 'utf8')
    const names = [...runner.matchAll(/^ {4}name: '([a-z-]+)',$/gm)].map((m) => m[1])
    expect(names).toEqual(['protocol', 'broker', 'producer', 'streams', 'consumer'])
    expect(Object.keys(MAPPERS).sort()).toEqual([...names].sort())
  })

  it('protocol: ours and kafkajs per operation and compression, in records/s', () => {
    const data = chartData('protocol', protocolRows, versions)
    expect(data.unit).toMatch(/^records\/s/)
    expect(summary(data.bars)).toEqual([
      ['encode, compression none', 'ours', true, 11_400_000],
      ['encode, compression none', 'kafkajs 2.2.4', false, 340_000],
      ['decode, compression none', 'ours', true, 10_800_000],
      ['decode, compression none', 'kafkajs 2.2.4', false, 1_400_000],
      ['encode, compression lz4', 'ours', true, 5_200_000],
      ['encode, compression lz4', 'kafkajs 2.2.4', false, 350_000],
      ['decode, compression lz4', 'ours', true, 5_100_000],
      ['decode, compression lz4', 'kafkajs 2.2.4', false, 1_160_000],
    ])
    expect(data.bars.every((b) => b.range === undefined)).toBe(true)
  })

  it('broker: MB/s per record size, grouped by ingest and fetch, with the range over rounds', () => {
    const data = chartData('broker', brokerRows, versions)
    expect(data.unit).toMatch(/^MB\/s/)
    expect(summary(data.bars)).toEqual([
      ['ingest', '1 KiB records', true, 513],
      ['fetch', '1 KiB records', true, 453],
      ['ingest', '100 B records', true, 273],
      ['fetch', '100 B records', true, 269],
    ])
    expect(data.bars[0]!.range).toEqual([356, 560])
  })

  it('producer: every client, ours and the references, in records/s', () => {
    const data = chartData('producer', producerRows, versions)
    expect(data.unit).toMatch(/^records\/s/)
    expect(summary(data.bars)).toEqual([
      ['', 'ours, send() per record', true, 323_000],
      ['', 'ours, sendBatch() of 600', true, 534_000],
      ['', 'kafkajs 2.2.4, send() of 600', false, 99_000],
      ['', '@platformatic/kafka 1.35.0, send() of 600', false, 150_000],
    ])
    expect(data.bars[2]!.range).toEqual([88_000, 112_000])
  })

  it('producer: a client it does not know yet is drawn under its id, and versions are optional', () => {
    const rows = [...producerRows, { ...producerRows[0]!, client: 'tributary-other' as never }, { ...producerRows[2]!, client: 'kcat' as never }]
    const bars = chartData('producer', rows, {}).bars
    expect(bars.map((b) => [b.label, b.ours])).toEqual([
      ['ours, send() per record', true],
      ['ours, sendBatch() of 600', true],
      ['kafkajs, send() of 600', false],
      ['@platformatic/kafka, send() of 600', false],
      ['tributary-other', true],
      ['kcat', false],
    ])
  })

  it('streams: map-filter and aggregation groups, hand-written loops as the reference', () => {
    const data = chartData('streams', streamsRows, versions)
    expect(data.unit).toMatch(/^records\/s/)
    expect(summary(data.bars)).toEqual([
      ['map-filter', 'fromTopic → filter → map → toTopic, zod-typed topics', true, 151_000],
      ['map-filter', 'the same with topics by name (JSON.parse, no schema)', true, 179_000],
      ['map-filter', 'by hand, our Consumer + Producer', false, 323_000],
      ['map-filter', 'by hand, kafkajs 2.2.4', false, 126_000],
      ['aggregation', 'aggregate per key, exactlyOnce (commit every 100 ms)', true, 102_000],
      ['aggregation', 'aggregate per key, atLeastOnce (commit every 100 ms)', true, 114_000],
    ])
  })

  it('consumer: ours and kafkajs per mode; a mode kafkajs lacks has ours alone', () => {
    const data = chartData('consumer', consumerRows, versions)
    expect(data.unit).toMatch(/^records\/s/)
    expect(summary(data.bars)).toEqual([
      ['eachMessage', 'ours', true, 2_630_000],
      ['eachMessage', 'kafkajs 2.2.4', false, 330_000],
      ['eachBatch', 'ours', true, 2_800_000],
      ['eachBatch', 'kafkajs 2.2.4', false, 600_000],
      ['for await', 'ours', true, 2_060_000],
    ])
    expect(data.bars[1]!.range).toEqual([300_000, 340_000])
  })

  // Every rate in the rows, ours and the references', in row order: what the chart must show.
  const rates: Record<string, () => number[]> = {
    protocol: () => protocolRows.flatMap((r) => [r.oursRecordsPerSecond, r.kafkajsRecordsPerSecond]),
    broker: () => brokerRows.map((r) => r.megabytesPerSecond),
    producer: () => producerRows.map((r) => r.recordsPerSecond),
    streams: () => streamsRows.map((r) => r.recordsPerSecond),
    consumer: () => consumerRows.flatMap((r) => [r.ours.recordsPerSecond, ...(r.kafkajs ? [r.kafkajs.recordsPerSecond] : [])]),
  }

  it.each(Object.keys(ROWS))('%s: one bar per client and row, none dropped', (bench) => {
    const bars = chartData(bench, ROWS[bench]!, versions).bars
    expect(bars.map((b) => b.value)).toEqual(rates[bench]!())
    expect(new Set(bars.map((b) => `${b.group}|${b.label}`)).size).toBe(bars.length)
    expect(bars.some((b) => b.ours)).toBe(true)
  })

  it('rejects rows of another shape, naming the field', () => {
    expect(() => chartData('protocol', [{ operation: 'encode', compression: 'none', ours: 1, kafkajs: 2 }])).toThrow(/oursRecordsPerSecond/)
    expect(() => chartData('consumer', [{ mode: 'eachBatch', ours: { recordsPerSecond: 1, range: [1, 1] }, kafkajs: { rate: 1 } }])).toThrow(/kafkajs side/)
    expect(() => chartData('producer', [])).toThrow(/no rows/)
    expect(() => chartData('nonesuch', [{}])).toThrow(/no chart mapper for bench "nonesuch"/)
  })
})

/**
 * RecordBatch v2 encode/decode throughput, ours against kafkajs 2.2.4, side by side in one run.
 *
 * Workload: one batch of 1,000 records, each a 100-byte JSON-like value with a 10-byte key and no
 * headers, uncompressed and lz4. kafkajs ships no lz4 codec, so it gets one built on ours: the lz4
 * rows compare the batch and record work around an identical compressor.
 *
 * Method: both sides warm up, then alternate in rounds (so machine noise hits both alike); each
 * sample times enough batches to last ~25 ms; the figure is the median sample.
 *
 * Run: `npm run bench -w @tributary/protocol` (or import {@link runRecordBatchBench}).
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { type CompressionCodec, compressSync, decodeRecordBatch, decompressSync, encodeRecordBatch, type RecordInput } from '../src/index.js'

const require = createRequire(import.meta.url)

interface KafkajsEncoder {
  buffer: Buffer
}
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number | string): unknown }
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => unknown
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (opts: object) => Promise<KafkajsEncoder> }
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: object) => KafkajsEncoder
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<{ records: unknown[] }>
const { CompressionTypes, CompressionCodecs } = require('kafkajs') as {
  CompressionTypes: { None: number; LZ4: number }
  CompressionCodecs: Record<number, () => { compress(e: KafkajsEncoder): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }>
}

/** One measured row. */
export interface RecordBatchBenchResult {
  operation: 'encode' | 'decode'
  compression: 'none' | 'lz4'
  /** Records per second, median over samples. */
  oursRecordsPerSecond: number
  kafkajsRecordsPerSecond: number
  /** ours / kafkajs. */
  ratio: number
}

export interface RecordBatchBenchOptions {
  /** Records per batch (default 1,000). */
  records?: number
  /** Value size in bytes (default 100). */
  valueSize?: number
  /** Samples per side per case (default 15). */
  samples?: number
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void
}

function makeRecords(count: number, valueSize: number): RecordInput[] {
  const t0 = 1_700_000_000_000
  return Array.from({ length: count }, (_, i) => {
    const text = JSON.stringify({ id: i, user: `user-${i % 97}`, amount: (i * 7919) % 10_000, currency: 'EUR', note: 'x'.repeat(valueSize) })
    return { key: Buffer.from(`key-${String(i).padStart(6, '0')}`), value: Buffer.from(text.slice(0, valueSize)), headers: [], timestamp: t0 + i }
  })
}

async function kafkajsEncode(records: RecordInput[], compression: CompressionCodec): Promise<Buffer> {
  const first = Number(records[0]!.timestamp)
  const encoded = records.map((r, i) => KafkajsRecord({ offsetDelta: i, timestampDelta: Number(r.timestamp) - first, key: r.key, value: r.value, headers: {} }))
  const batch = await RecordBatch({
    compression: compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None,
    firstOffset: Long.fromValue(0),
    firstTimestamp: first,
    maxTimestamp: Number(records[records.length - 1]!.timestamp),
    lastOffsetDelta: records.length - 1,
    records: encoded,
  })
  return batch.buffer
}

/** Median of the per-batch times, in ms, of `samples` samples of ~25 ms each. */
type Timer = () => Promise<number>

async function sampler(fn: () => unknown | Promise<unknown>): Promise<Timer> {
  const warmupEnd = performance.now() + 300
  let calls = 0
  while (performance.now() < warmupEnd) {
    await fn()
    calls++
  }
  const perSample = Math.max(1, Math.round(calls / 12))
  return async () => {
    const start = performance.now()
    for (let i = 0; i < perSample; i++) await fn()
    return (performance.now() - start) / perSample
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/**
 * Measures RecordBatch encode and decode for ours and kafkajs, uncompressed and lz4, and returns one
 * row per operation and codec.
 *
 * @example
 * ```ts
 * const rows = await runRecordBatchBench({ log: console.log })
 * ```
 */
export async function runRecordBatchBench(options: RecordBatchBenchOptions = {}): Promise<RecordBatchBenchResult[]> {
  const count = options.records ?? 1_000
  const samples = options.samples ?? 15
  const log = options.log ?? (() => {})
  const records = makeRecords(count, options.valueSize ?? 100)
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder) => compressSync('lz4', encoder.buffer),
    decompress: async (buffer) => decompressSync('lz4', buffer),
  })
  const rows: RecordBatchBenchResult[] = []
  for (const compression of ['none', 'lz4'] as const) {
    const encoded = encodeRecordBatch({ records, compression })
    const cases = {
      encode: [() => encodeRecordBatch({ records, compression }), () => kafkajsEncode(records, compression)],
      decode: [() => decodeRecordBatch(encoded), () => decodeKafkajsBatch(new KafkajsDecoder(encoded))],
    } as const
    for (const operation of ['encode', 'decode'] as const) {
      const [oursFn, theirsFn] = cases[operation]
      const ours = await sampler(oursFn)
      const theirs = await sampler(theirsFn)
      const oursMs: number[] = []
      const theirsMs: number[] = []
      for (let s = 0; s < samples; s++) {
        oursMs.push(await ours())
        theirsMs.push(await theirs())
      }
      const oursRate = (count * 1000) / median(oursMs)
      const theirsRate = (count * 1000) / median(theirsMs)
      const row = { operation, compression, oursRecordsPerSecond: oursRate, kafkajsRecordsPerSecond: theirsRate, ratio: oursRate / theirsRate }
      rows.push(row)
      log(formatRow(row))
    }
  }
  return rows
}

function formatRate(n: number): string {
  return `${(n / 1e6).toFixed(2)} M rec/s`
}

/** One result as a table row. */
export function formatRow(r: RecordBatchBenchResult): string {
  return `| ${r.operation} | ${r.compression} | ${formatRate(r.oursRecordsPerSecond)} | ${formatRate(r.kafkajsRecordsPerSecond)} | ${r.ratio.toFixed(1)}x |`
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`RecordBatch v2, 1,000 records of 100 bytes, Node ${process.version}`)
  console.log('| operation | compression | ours | kafkajs 2.2.4 | ours / kafkajs |')
  console.log('|---|---|---|---|---|')
  await runRecordBatchBench({ log: (line) => console.log(line) })
}

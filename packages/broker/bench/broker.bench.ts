/**
 * Broker ingest and fetch throughput, measured from a load generator in a separate process.
 *
 * Set-up: a broker started in this process (file storage in a temporary directory, default
 * durability: every append reaches the OS, no fsync) and `load-generator.ts` forked beside it,
 * talking raw Kafka protocol over one pipelined TCP connection on 127.0.0.1.
 *
 * For each record size (1 KiB and 100 bytes), `rounds` times, on a new 4-partition topic:
 * - ingest: Produce v9, acks=1, `inFlight` requests outstanding, each carrying one uncompressed
 *   batch of ~16 KiB (Kafka's default `batch.size`) per partition; a warm-up, then a timed window
 *   counting acknowledged records;
 * - fetch: Fetch v12 of every partition from offset 0 to its end (what the round wrote, warm-up
 *   included), one fetch in flight per partition, with the Java consumer's default
 *   `fetch.max.bytes` and `max.partition.fetch.bytes`.
 * Each row is the median of the rounds, with the range beside it. The whole run starts with one
 * unreported round, so neither process is measured while its JIT warms up. MB/s counts record
 * values (records × record size, 10^6 bytes per MB), as Kafka's `producer-perf-test` does.
 *
 * Run: `npm run bench -w @tributary/broker` (or import {@link runBrokerBench}).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startBroker, type Broker } from '../src/index.js'
import { forkLoadGenerator, type LoadGenerator } from './generator-process.js'
import type { Measurement } from './messages.js'

/** One row: an operation at one record size, the median of the rounds. */
export interface BrokerBenchResult {
  operation: 'ingest' | 'fetch'
  /** Bytes per record value. */
  recordSize: number
  recordsPerSecond: number
  /** Record value megabytes (10^6 bytes) per second. */
  megabytesPerSecond: number
  /** The slowest and fastest round, in MB/s. */
  rangeMegabytesPerSecond: [number, number]
  /** Records measured over all rounds. */
  records: number
  rounds: number
}

export interface BrokerBenchOptions {
  /** Record value sizes to measure (default 1024 and 100 bytes). */
  recordSizes?: number[]
  /** Measured rounds per record size (default 3). */
  rounds?: number
  /** Bytes per produced batch (default 16384, Kafka's `batch.size`). */
  batchBytes?: number
  /** Partitions of each bench topic (default 4). */
  partitions?: number
  /** Produce requests in flight (default 5, Kafka's `max.in.flight.requests.per.connection`). */
  inFlight?: number
  /** Warm-up before each ingest window, in ms (default 500). */
  warmupMs?: number
  /** Length of each ingest window, in ms (default 2000). */
  durationMs?: number
  /** Where progress lines (one per round) go (default: nowhere). */
  log?: (line: string) => void
}

/**
 * Starts a broker and a load generator process, measures ingest then fetch for each record size,
 * and returns one row per operation and size. About 45 s with the defaults on a 2-vCPU machine.
 *
 * @example
 * ```ts
 * const rows = await runBrokerBench({ log: console.log })
 * ```
 */
export async function runBrokerBench(options: BrokerBenchOptions = {}): Promise<BrokerBenchResult[]> {
  const log = options.log ?? (() => {})
  const rounds = options.rounds ?? 3
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
  const broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logger: { info() {}, warn: (m: string) => log(`broker: ${m}`), error: (m: string) => log(`broker: ${m}`) },
  })
  const generator = forkLoadGenerator()
  const round = (topic: string, recordSize: number) => runRound(broker, generator, topic, recordSize, options)
  const rows: BrokerBenchResult[] = []
  try {
    await round('bench-warmup', 1024)
    for (const recordSize of options.recordSizes ?? [1024, 100]) {
      const ingest: Measurement[] = []
      const fetch: Measurement[] = []
      for (let r = 1; r <= rounds; r++) {
        const result = await round(`bench-${recordSize}-${r}`, recordSize)
        ingest.push(result.ingest)
        fetch.push(result.fetch)
        log(`  ${sizeLabel(recordSize)} round ${r}: ingest ${mbps(result.ingest).toFixed(1)} MB/s, fetch ${mbps(result.fetch).toFixed(1)} MB/s`)
      }
      rows.push(summarize('ingest', recordSize, ingest), summarize('fetch', recordSize, fetch))
    }
  } finally {
    generator.close()
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return rows
}

/** One round on a new topic: produce for warm-up plus the window, read it all back, delete the topic. */
async function runRound(broker: Broker, generator: LoadGenerator, topic: string, recordSize: number, o: BrokerBenchOptions) {
  const partitions = o.partitions ?? 4
  broker.logs.createTopic(topic, { partitions })
  try {
    const ingest = await generator.run({
      kind: 'produce',
      port: broker.port,
      topic,
      partitions,
      recordSize,
      recordsPerBatch: Math.max(1, Math.floor((o.batchBytes ?? 16_384) / recordSize)),
      inFlight: o.inFlight ?? 5,
      acks: 1,
      warmupMs: o.warmupMs ?? 500,
      durationMs: o.durationMs ?? 2_000,
    })
    const fetch = await generator.run({ kind: 'fetch', port: broker.port, topic, partitions, recordSize, maxBytes: 52_428_800, partitionMaxBytes: 1_048_576 })
    return { ingest, fetch }
  } finally {
    broker.logs.deleteTopic(topic)
  }
}

const mbps = (m: Measurement) => m.payloadBytes / 1e6 / m.seconds

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function summarize(operation: BrokerBenchResult['operation'], recordSize: number, rounds: Measurement[]): BrokerBenchResult {
  const rates = rounds.map(mbps)
  return {
    operation,
    recordSize,
    recordsPerSecond: median(rounds.map((m) => m.records / m.seconds)),
    megabytesPerSecond: median(rates),
    rangeMegabytesPerSecond: [Math.min(...rates), Math.max(...rates)],
    records: rounds.reduce((n, m) => n + m.records, 0),
    rounds: rounds.length,
  }
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`
}

/** One result as a table row: operation, record size, MB/s, records/s, range over rounds. */
export function formatBrokerRow(r: BrokerBenchResult): string {
  const [low, high] = r.rangeMegabytesPerSecond
  const records = r.recordsPerSecond >= 1e6 ? `${(r.recordsPerSecond / 1e6).toFixed(2)} M rec/s` : `${(r.recordsPerSecond / 1e3).toFixed(0)} k rec/s`
  return `| ${r.operation} | ${sizeLabel(r.recordSize)} | ${r.megabytesPerSecond.toFixed(0)} MB/s | ${records} | ${low.toFixed(0)}–${high.toFixed(0)} MB/s over ${r.rounds} rounds |`
}

/** The header of the table {@link formatBrokerRow} writes rows of. */
export const BROKER_TABLE_HEADER = '| operation | record size | MB/s (median) | records/s (median) | range |\n|---|---|---|---|---|'

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Broker throughput, load generator in a separate process, Node ${process.version}`)
  const rows = await runBrokerBench({ log: (line) => console.log(line) })
  console.log(`\n${BROKER_TABLE_HEADER}`)
  for (const row of rows) console.log(formatBrokerRow(row))
}

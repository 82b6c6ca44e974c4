/**
 * Runs every package's benchmarks in turn and prints a summary: `npm run bench`
 * (`node --conditions=source --import tsx bench/run.ts`). `--only <name>` runs one of them
 * (repeatable, or comma-separated); `--list` shows the names.
 *
 * Each bench's results are recorded in docs/benchmarks/results/<name>.json (the run's date, Node
 * version and CPU, the rows the bench returned and its table) and its chart redrawn in
 * docs/benchmarks/<name>.svg (`npm run charts` redraws them all); `--no-record` leaves both alone.
 */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'

/** A bench's results: the rows it returned and the markdown table of them (header included). */
interface BenchRun {
  rows: object[]
  table: string[]
}

/** One package benchmark: its name, and a run returning its results. Each bench is imported only when it runs, so `--only` loads nothing else. */
interface Bench {
  name: string
  title: string
  run(log: (line: string) => void): Promise<BenchRun>
}

const BENCHES: Bench[] = [
  {
    name: 'protocol',
    title: 'Protocol: RecordBatch v2 encode/decode, 1,000 records of 100 bytes, ours vs kafkajs 2.2.4',
    run: async (log) => {
      const { runRecordBatchBench, formatRow } = await import('../packages/protocol/bench/record-batch.bench.ts')
      const rows = await runRecordBatchBench({ log })
      return { rows, table: ['| operation | compression | ours | kafkajs 2.2.4 | ours / kafkajs |', '|---|---|---|---|---|', ...rows.map(formatRow)] }
    },
  },
  {
    name: 'broker',
    title: 'Broker: ingest (Produce acks=1) and fetch throughput, load generator in a separate process',
    run: async (log) => {
      const { runBrokerBench, formatBrokerRow, BROKER_TABLE_HEADER } = await import('../packages/broker/bench/broker.bench.ts')
      const rows = await runBrokerBench({ log })
      return { rows, table: [BROKER_TABLE_HEADER, ...rows.map(formatBrokerRow)] }
    },
  },
  {
    name: 'producer',
    title: 'Producer: 1,000,000 records of 100 bytes, acks=1, ours vs kafkajs and @platformatic/kafka on one broker',
    run: async (log) => {
      const { runProducerBench, formatProducerRow, PRODUCER_TABLE_HEADER } = await import('../packages/producer/bench/producer.bench.ts')
      const rows = await runProducerBench({ log })
      return { rows, table: [PRODUCER_TABLE_HEADER, ...rows.map(formatProducerRow)] }
    },
  },
  {
    name: 'streams',
    title: 'Streams: records/s through a map-filter pipeline and an exactly-once aggregation, 200,000 records',
    run: async (log) => {
      const { runStreamsBench, formatStreamsRow, STREAMS_TABLE_HEADER } = await import('../packages/streams/bench/streams.bench.ts')
      const rows = await runStreamsBench({ log })
      return { rows, table: [STREAMS_TABLE_HEADER, ...rows.map(formatStreamsRow)] }
    },
  },
  {
    name: 'consumer',
    title: 'Consumer: reading 1,000,000 pre-produced 100-byte records from our broker, ours vs kafkajs 2.2.4',
    run: async (log) => {
      const { runConsumerBench, formatConsumerRow, CONSUMER_TABLE_HEADER } = await import('../packages/consumer/bench/consumer.bench.ts')
      const rows = await runConsumerBench({ log })
      return { rows, table: [CONSUMER_TABLE_HEADER, ...rows.map(formatConsumerRow)] }
    },
  },
]

const USAGE = 'usage: bench/run.ts [--only <name>[,<name>...]]... [--no-record] [--list]'

function parse(args: string[]): { benches: Bench[]; record: boolean; list: boolean } {
  const { values } = parseArgs({
    args,
    options: { only: { type: 'string', multiple: true }, 'no-record': { type: 'boolean' }, list: { type: 'boolean' } },
  })
  const only = (values.only ?? []).flatMap((v) => v.split(',')).filter((name) => name !== '')
  if (values.only && only.length === 0) throw new Error('--only needs a bench name')
  const unknown = only.filter((name) => !BENCHES.some((b) => b.name === name))
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; the benches are ${BENCHES.map((b) => b.name).join(', ')}`)
  const benches = only.length === 0 ? BENCHES : BENCHES.filter((b) => only.includes(b.name))
  return { benches, record: !values['no-record'], list: values.list ?? false }
}

/** Installed versions of the reference clients the benches compare against (recorded with the results). */
function referenceVersions(): Record<string, string> {
  const versions: Record<string, string> = {}
  for (const name of ['kafkajs', '@platformatic/kafka']) {
    try {
      const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }
      if (manifest.version) versions[name] = manifest.version
    } catch {
      // not installed: not measured either
    }
  }
  return versions
}

async function main(args: string[]): Promise<number> {
  let options: ReturnType<typeof parse>
  try {
    options = parse(args)
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (options.list) {
    for (const b of BENCHES) console.log(`${b.name}: ${b.title}`)
    return 0
  }
  const cpu = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`
  const date = new Date().toISOString().slice(0, 10)
  console.log(`Node ${process.version}, ${cpu}, ${date}`)
  const summary: string[] = []
  for (const bench of options.benches) {
    console.log(`\n== ${bench.name}: ${bench.title}`)
    const started = performance.now()
    const { rows, table } = await bench.run((line) => console.log(line))
    const lines = table.flatMap((line) => line.split('\n'))
    summary.push(`\n${bench.title} (${((performance.now() - started) / 1000).toFixed(1)} s)`, ...lines)
    if (options.record) {
      // Recorded as each bench ends, so a later bench failing loses nothing.
      const { writeResults, generateChart } = await import('@tributary/bench-charts')
      const results = { bench: bench.name, title: bench.title, date, node: process.version, cpu, versions: referenceVersions(), rows, table: lines }
      console.log(`recorded ${relative(process.cwd(), writeResults(results))}, drew ${relative(process.cwd(), await generateChart(bench.name))}`)
    }
  }
  console.log('\n== Summary')
  for (const line of summary) console.log(line)
  return 0
}

process.exitCode = await main(process.argv.slice(2))

/**
 * Runs every package's benchmarks in turn and prints a summary: `npm run bench`
 * (`node --conditions=source --import tsx bench/run.ts`). `--only <name>` runs one of them
 * (repeatable, or comma-separated); `--list` shows the names.
 */
import { cpus } from 'node:os'

/**
 * One package benchmark: its name, and a run returning its results as a table (header included).
 * Each bench is imported only when it runs, so `--only` loads nothing else.
 */
interface Bench {
  name: string
  title: string
  run(log: (line: string) => void): Promise<string[]>
}

const BENCHES: Bench[] = [
  {
    name: 'protocol',
    title: 'Protocol: RecordBatch v2 encode/decode, 1,000 records of 100 bytes, ours vs kafkajs 2.2.4',
    run: async (log) => {
      const { runRecordBatchBench, formatRow } = await import('../packages/protocol/bench/record-batch.bench.ts')
      const rows = await runRecordBatchBench({ log })
      return ['| operation | compression | ours | kafkajs 2.2.4 | ours / kafkajs |', '|---|---|---|---|---|', ...rows.map(formatRow)]
    },
  },
  {
    name: 'broker',
    title: 'Broker: ingest (Produce acks=1) and fetch throughput, load generator in a separate process',
    run: async (log) => {
      const { runBrokerBench, formatBrokerRow, BROKER_TABLE_HEADER } = await import('../packages/broker/bench/broker.bench.ts')
      const rows = await runBrokerBench({ log })
      return [BROKER_TABLE_HEADER, ...rows.map(formatBrokerRow)]
    },
  },
  {
    name: 'producer',
    title: 'Producer: 1,000,000 records of 100 bytes, acks=1, ours vs kafkajs 2.2.4 on one broker',
    run: async (log) => {
      const { runProducerBench, formatProducerRow, PRODUCER_TABLE_HEADER } = await import('../packages/producer/bench/producer.bench.ts')
      return [PRODUCER_TABLE_HEADER, ...(await runProducerBench({ log })).map(formatProducerRow)]
    },
  },
  {
    name: 'streams',
    title: 'Streams: records/s through a map-filter pipeline and an exactly-once aggregation, 200,000 records',
    run: async (log) => {
      const { runStreamsBench, formatStreamsRow, STREAMS_TABLE_HEADER } = await import('../packages/streams/bench/streams.bench.ts')
      return [STREAMS_TABLE_HEADER, ...(await runStreamsBench({ log })).map(formatStreamsRow)]
    },
  },
  {
    name: 'consumer',
    title: 'Consumer: reading 1,000,000 pre-produced 100-byte records from our broker, ours vs kafkajs 2.2.4',
    run: async (log) => {
      const { runConsumerBench, formatConsumerRow, CONSUMER_TABLE_HEADER } = await import('../packages/consumer/bench/consumer.bench.ts')
      return [CONSUMER_TABLE_HEADER, ...(await runConsumerBench({ log })).map(formatConsumerRow)]
    },
  },
]

function selectBenches(args: readonly string[]): Bench[] {
  const only: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--only') {
      const value = args[++i]
      if (!value) throw new Error('--only needs a bench name')
      only.push(...value.split(','))
    } else if (arg.startsWith('--only=')) {
      only.push(...arg.slice('--only='.length).split(','))
    } else {
      throw new Error(`unknown argument ${arg}; usage: bench/run.ts [--only <name>] [--list]`)
    }
  }
  const unknown = only.filter((name) => !BENCHES.some((b) => b.name === name))
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; the benches are ${BENCHES.map((b) => b.name).join(', ')}`)
  return only.length === 0 ? BENCHES : BENCHES.filter((b) => only.includes(b.name))
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--list')) {
    for (const b of BENCHES) console.log(`${b.name}: ${b.title}`)
    return 0
  }
  let benches: Bench[]
  try {
    benches = selectBenches(args)
  } catch (err) {
    console.error((err as Error).message)
    return 2
  }
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  console.log(`Node ${process.version}, ${cpus().length} × ${cpu}, ${new Date().toISOString().slice(0, 10)}`)
  const summary: string[] = []
  for (const bench of benches) {
    console.log(`\n== ${bench.name}: ${bench.title}`)
    const started = performance.now()
    const rows = await bench.run((line) => console.log(line))
    summary.push(`\n${bench.title} (${((performance.now() - started) / 1000).toFixed(1)} s)`, ...rows)
  }
  console.log('\n== Summary')
  for (const line of summary) console.log(line)
  return 0
}

process.exitCode = await main(process.argv.slice(2))

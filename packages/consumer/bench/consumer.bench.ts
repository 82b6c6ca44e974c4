/**
 * Consumer throughput, ours against kafkajs 2.2.4's, side by side in one run.
 *
 * Set-up: a broker in a separate process (file storage in a temporary directory), one topic of
 * `partitions` partitions holding `records` pre-produced records with 100-byte values and no keys
 * (written as uncompressed batches of 1,000 with raw Produce requests). Each measured run is a new
 * consumer group reading the whole topic from the beginning, with both clients' default fetch sizes
 * and auto-commit on; it is timed from `run()` to the last record handed to the handler, so joining
 * the group is included. Runs alternate between the clients, `rounds` of each per mode; each row is
 * the median, with the range beside it. MB/s counts record values (records × 100 bytes, 10^6 bytes
 * per MB).
 *
 * Modes: `eachMessage` (one handler call per record, both clients) and `eachBatch` (one call per
 * fetched batch, both clients); ours also through `for await`.
 *
 * Run: `npm run bench -w @tributary/consumer` (or import {@link runConsumerBench}).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '@tributary/client'
import { encodeRecordBatch } from '@tributary/protocol'
import { RawClient, createTopic, produce, startBenchBrokerProcess } from '@tributary/testkit'
import { Kafka, logLevel } from 'kafkajs'
import { Consumer } from '../src/index.js'

export interface ConsumerBenchOptions {
  /** Records to pre-produce and read per run (default 1,000,000). */
  records?: number
  /** Partitions of the topic (default 4). */
  partitions?: number
  /** Measured runs per client and mode (default 3). */
  rounds?: number
  log?: (line: string) => void
}

/** One row: a mode, both clients' medians and ranges, and the ratio of the medians. */
export interface ConsumerBenchRow {
  mode: 'eachMessage' | 'eachBatch' | 'for await'
  ours: { recordsPerSecond: number; megabytesPerSecond: number; range: [number, number] }
  kafkajs: { recordsPerSecond: number; megabytesPerSecond: number; range: [number, number] } | null
  ratio: number | null
}

const VALUE_SIZE = 100
const BATCH = 1_000

/**
 * Starts the broker process, pre-produces the records, and measures each mode; about 60-90 s with
 * the defaults on a 2-vCPU machine.
 *
 * @example
 * ```ts
 * const rows = await runConsumerBench({ log: console.log })
 * ```
 */
export async function runConsumerBench(options: ConsumerBenchOptions = {}): Promise<ConsumerBenchRow[]> {
  const log = options.log ?? (() => {})
  const total = options.records ?? 1_000_000
  const partitions = options.partitions ?? 4
  const rounds = options.rounds ?? 3
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-consumer-bench-'))
  const { child, port } = await startBenchBrokerProcess(dataDir)
  const bootstrap = `127.0.0.1:${port}`
  try {
    const topic = 'consumer-bench'
    const started = performance.now()
    await preProduce(port, topic, partitions, total)
    log(`pre-produced ${total.toLocaleString('en')} records of ${VALUE_SIZE} bytes into ${partitions} partitions in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    let group = 0
    const ours = { eachMessage: [] as number[], eachBatch: [] as number[], 'for await': [] as number[] }
    const theirs = { eachMessage: [] as number[], eachBatch: [] as number[] }
    // One unreported round of each, so neither client is measured while the JIT warms up.
    for (let round = -1; round < rounds; round++) {
      for (const mode of ['eachMessage', 'eachBatch'] as const) {
        const a = await timeOurs(bootstrap, topic, `bench-${group++}`, total, mode)
        const b = await timeKafkajs(bootstrap, topic, `bench-${group++}`, total, mode)
        if (round >= 0) {
          ours[mode].push(a)
          theirs[mode].push(b)
        }
        log(`${round < 0 ? 'warm-up' : `round ${round + 1}`} ${mode}: ours ${rate(total, a)}, kafkajs ${rate(total, b)}`)
      }
      const c = await timeOurs(bootstrap, topic, `bench-${group++}`, total, 'for await')
      if (round >= 0) ours['for await'].push(c)
      log(`${round < 0 ? 'warm-up' : `round ${round + 1}`} for await: ours ${rate(total, c)}`)
    }
    const summary = (ms: number[]) => {
      const perSecond = ms.map((t) => (total / t) * 1000).sort((x, y) => x - y)
      const median = perSecond[Math.floor(perSecond.length / 2)]!
      return { recordsPerSecond: median, megabytesPerSecond: (median * VALUE_SIZE) / 1e6, range: [perSecond[0]!, perSecond[perSecond.length - 1]!] as [number, number] }
    }
    return (['eachMessage', 'eachBatch', 'for await'] as const).map((mode) => {
      const o = summary(ours[mode])
      const k = mode === 'for await' ? null : summary(theirs[mode])
      return { mode, ours: o, kafkajs: k, ratio: k ? o.recordsPerSecond / k.recordsPerSecond : null }
    })
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The markdown table header for {@link formatConsumerRow}. */
export const CONSUMER_TABLE_HEADER = '| mode | ours | kafkajs 2.2.4 | ours / kafkajs |\n|---|---|---|---|'

/** One markdown table row. */
export function formatConsumerRow(row: ConsumerBenchRow): string {
  const side = (s: ConsumerBenchRow['ours']) =>
    `${(s.recordsPerSecond / 1e6).toFixed(2)} M rec/s, ${s.megabytesPerSecond.toFixed(0)} MB/s (${(s.range[0] / 1e6).toFixed(2)}–${(s.range[1] / 1e6).toFixed(2)})`
  return `| ${row.mode} | ${side(row.ours)} | ${row.kafkajs ? side(row.kafkajs) : '–'} | ${row.ratio ? `${row.ratio.toFixed(1)}x` : '–'} |`
}

function rate(total: number, ms: number): string {
  return `${Math.round((total / ms) * 1000).toLocaleString('en')} rec/s`
}

async function timeOurs(bootstrap: string, topic: string, groupId: string, total: number, mode: 'eachMessage' | 'eachBatch' | 'for await'): Promise<number> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, groupId, autoOffsetReset: 'earliest', logger: silentLogger })
  let count = 0
  const started = performance.now()
  await consumer.subscribe([topic])
  if (mode === 'for await') {
    for await (const _ of consumer) if (++count === total) break
  } else {
    const stop = new AbortController()
    await consumer.run(
      mode === 'eachMessage'
        ? { signal: stop.signal, eachMessage: () => void (++count === total && stop.abort()) }
        : { signal: stop.signal, eachBatch: ({ records }) => void ((count += records.length) >= total && stop.abort()) },
    )
  }
  const elapsed = performance.now() - started
  await consumer.close()
  return elapsed
}

async function timeKafkajs(bootstrap: string, topic: string, groupId: string, total: number, mode: 'eachMessage' | 'eachBatch'): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId })
  await consumer.connect()
  let count = 0
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const started = performance.now()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run(
    mode === 'eachMessage'
      ? { eachMessage: async () => void (++count === total && done()) }
      : { eachBatch: async ({ batch }) => void ((count += batch.messages.length) >= total && done()) },
  )
  await finished
  const elapsed = performance.now() - started
  await consumer.disconnect()
  return elapsed
}

async function preProduce(port: number, topic: string, partitions: number, total: number): Promise<void> {
  const client = await RawClient.connect(port)
  try {
    await createTopic(client, topic, partitions)
    const value = Buffer.alloc(VALUE_SIZE, 'x')
    const batch = encodeRecordBatch({ records: Array.from({ length: BATCH }, () => ({ value })) })
    const perPartition = Math.ceil(total / partitions / BATCH)
    const sends: Promise<number>[] = []
    let produced = 0
    for (let i = 0; i < perPartition; i++) {
      for (let p = 0; p < partitions && produced < total; p++) {
        sends.push(produce(client, topic, p, batch, { acks: 1 }))
        produced += BATCH
      }
      if (sends.length >= 64) await Promise.all(sends.splice(0))
    }
    await Promise.all(sends)
  } finally {
    await client.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const rows = await runConsumerBench({ log: console.log })
  console.log(`\n${CONSUMER_TABLE_HEADER}`)
  for (const row of rows) console.log(formatConsumerRow(row))
}

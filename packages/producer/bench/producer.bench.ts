/**
 * Producer throughput: our producer against kafkajs 2.2.4 and @platformatic/kafka 1.35, side by side on
 * the same broker (the table labels carry the versions actually installed).
 *
 * Set-up: one broker started in this process (file storage in a temporary directory, default
 * durability: every append reaches the OS, no fsync), and each client run in a process of its own
 * (`client-process.ts`, forked fresh for every run so no run inherits another's heap or JIT), sending
 * `records` records of `recordSize` bytes (no key, no headers) with acks=1 to a new topic of
 * `partitions` partitions, timed from the first send to the last acknowledgement. After each run the
 * topic must hold exactly `records` records plus the client's one untimed warm-up record, or the bench
 * fails.
 *
 * Equivalent batching: about 16 KiB of records per partition batch and five requests in flight; no
 * client is idempotent (ours turns idempotence off under acks=1, as the Java client does; kafkajs and
 * @platformatic/kafka default to off).
 * - ours, `send()`: one call per record, `lingerMs: 5`, `batchSize: 16384` (Kafka's defaults),
 *   `maxInFlightRequestsPerConnection: 5`; the loop awaits every 1,000th acknowledgement once 20,000
 *   records are outstanding, as a well-behaved service would;
 * - ours, `sendBatch()`: the same calls as kafkajs below (the accumulator still batches by 16 KiB);
 * - kafkajs: `producer.send({ messages })` with 600 messages per call (150 per partition, ~16 KiB
 *   per partition batch) and five calls outstanding. kafkajs has no accumulator: each call is one
 *   request per broker carrying that call's messages;
 * - @platformatic/kafka: the same calls as kafkajs (`send({ messages, acks: ProduceAcks.LEADER })`,
 *   `idempotent: false`, `maxInflights: 5`). It has no accumulator either: each call is one request
 *   per broker, one batch per partition. Its ProducerStream (`asStream()`) batches, but with one
 *   `send()` outstanding at a time, so it cannot keep five requests in flight.
 * Clients alternate within each round, so machine noise hits all of them alike; each row is the median
 * of the rounds, and the ratio is taken per round against that round's kafkajs run.
 *
 * Run: `npm run bench -w @tributary/producer` (or import {@link runProducerBench}).
 */
import { fork } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startBroker, type LogManager } from '@tributary/broker'
import type { ClientJob, ClientResult } from './client-process.js'

const CLIENT_SCRIPT = fileURLToPath(new URL('./client-process.ts', import.meta.url))
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The clients compared, in the order they run within a round. */
export const PRODUCER_BENCH_CLIENTS = ['tributary-send', 'tributary-sendBatch', 'kafkajs', 'platformatic-kafka'] as const
export type ProducerBenchClient = (typeof PRODUCER_BENCH_CLIENTS)[number]

const LABELS: Record<ProducerBenchClient, string> = {
  'tributary-send': 'ours, send() per record',
  'tributary-sendBatch': 'ours, sendBatch() of 600',
  kafkajs: `kafkajs ${installedVersion('kafkajs')}, send() of 600`,
  'platformatic-kafka': `platformatic/kafka ${installedVersion('@platformatic/kafka')}, send() of 600`,
}

/** The version of an installed package, from the nearest package.json of that name above its entry point. */
function installedVersion(name: string): string {
  const entry = fileURLToPath(import.meta.resolve(name))
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    if (pkg.name === name && pkg.version) return pkg.version
  }
  throw new Error(`No package.json of ${name} with a version above its entry point ${entry}`)
}

/** One row: a client's median over the rounds. */
export interface ProducerBenchResult {
  client: ProducerBenchClient
  recordsPerSecond: number
  /** Record value megabytes (10^6 bytes) per second. */
  megabytesPerSecond: number
  /** Median over the rounds of this client's rate divided by kafkajs's in the same round (1 for kafkajs). */
  ratioToKafkajs: number
  /** The slowest and fastest round, records per second. */
  range: [number, number]
  /** Median CPU time the client process spent per record, in microseconds (less sensitive to machine noise than rates). */
  cpuMicrosPerRecord: number
  rounds: number
}

export interface ProducerBenchOptions {
  /** Records per run (default 1,000,000). */
  records?: number
  /** Bytes per record value (default 100). */
  recordSize?: number
  /** Partitions of each run's topic (default 4). */
  partitions?: number
  /** Rounds (default 3). */
  rounds?: number
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void
}

/**
 * Starts a broker, runs every client `rounds` times (alternating), and returns one row per client.
 * About 70-100 s with the defaults on a 2-vCPU machine.
 *
 * @example
 * ```ts
 * const rows = await runProducerBench({ log: console.log })
 * for (const row of rows) console.log(formatProducerRow(row))
 * ```
 */
export async function runProducerBench(options: ProducerBenchOptions = {}): Promise<ProducerBenchResult[]> {
  const log = options.log ?? (() => {})
  const records = options.records ?? 1_000_000
  const recordSize = options.recordSize ?? 100
  const partitions = options.partitions ?? 4
  const rounds = options.rounds ?? 3
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-producer-bench-'))
  const broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logger: { debug() {}, info() {}, warn: (m: string) => log(`broker: ${m}`), error: (m: string) => log(`broker: ${m}`) },
  })
  const rates = new Map<ProducerBenchClient, number[]>(PRODUCER_BENCH_CLIENTS.map((c) => [c, []]))
  const cpu = new Map<ProducerBenchClient, number[]>(PRODUCER_BENCH_CLIENTS.map((c) => [c, []]))
  try {
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = []
      for (const client of PRODUCER_BENCH_CLIENTS) {
        const topic = `producer-bench-${client}-${round}`
        broker.logs.createTopic(topic, { partitions })
        try {
          const result = await runClient({ client, bootstrapServers: broker.bootstrapServers, topic, records, recordSize, chunk: 150 * partitions, concurrency: 5 })
          const written = recordsIn(broker.logs, topic, partitions)
          if (written !== records + 1) {
            throw new Error(`${client}: round ${round} left ${written} records in ${topic}, expected exactly ${records + 1} (${records} timed, 1 warm-up)`)
          }
          const rate = result.records / result.seconds
          rates.get(client)!.push(rate)
          cpu.get(client)!.push((result.cpuSeconds * 1e6) / result.records)
          line.push(`${client} ${(rate / 1000).toFixed(0)}k rec/s (${((result.cpuSeconds * 1e6) / result.records).toFixed(2)} µs CPU/record)`)
        } finally {
          broker.logs.deleteTopic(topic)
        }
      }
      log(`  round ${round}: ${line.join(', ')}`)
    }
  } finally {
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  const kafkajs = rates.get('kafkajs')!
  return PRODUCER_BENCH_CLIENTS.map((client) => {
    const own = rates.get(client)!
    const perSecond = median(own)
    return {
      client,
      recordsPerSecond: perSecond,
      megabytesPerSecond: (perSecond * recordSize) / 1e6,
      ratioToKafkajs: median(own.map((r, i) => r / kafkajs[i]!)),
      range: [Math.min(...own), Math.max(...own)],
      cpuMicrosPerRecord: median(cpu.get(client)!),
      rounds,
    }
  })
}

function runClient(job: ClientJob): Promise<ClientResult> {
  const child = fork(CLIENT_SCRIPT, [], { cwd: PACKAGE_ROOT, execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise<ClientResult>((resolve, reject) => {
    let settled = false
    child.once('message', (result: ClientResult | { ok: false; error: string }) => {
      settled = true
      child.disconnect()
      if (result.ok) resolve(result)
      else reject(new Error(`${job.client}: ${result.error}`))
    })
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`${job.client}: the client process exited (code ${code}, signal ${signal})`))
    })
    child.send(job)
  })
}

/** Records appended to the topic's partitions (duplicates from retries included). */
function recordsIn(logs: LogManager, topic: string, partitions: number): number {
  let n = 0
  for (let p = 0; p < partitions; p++) {
    const log = logs.log(topic, p)
    n += log.logEndOffset - log.logStartOffset
  }
  return n
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** The header of the table {@link formatProducerRow} writes rows of. */
export const PRODUCER_TABLE_HEADER = '| client | records/s (median) | MB/s (median) | vs kafkajs (median of per-round ratios) | client CPU per record | range over rounds |\n|---|---|---|---|---|---|'

/** One result as a table row. */
export function formatProducerRow(r: ProducerBenchResult): string {
  const k = (n: number) => `${(n / 1000).toFixed(0)}k`
  return `| ${LABELS[r.client]} | ${k(r.recordsPerSecond)} rec/s | ${r.megabytesPerSecond.toFixed(1)} MB/s | ${r.ratioToKafkajs.toFixed(2)}x | ${r.cpuMicrosPerRecord.toFixed(2)} µs | ${k(r.range[0])}–${k(r.range[1])} rec/s over ${r.rounds} rounds |`
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Producer throughput, 1,000,000 records of 100 bytes, acks=1, Node ${process.version}`)
  const rows = await runProducerBench({ log: (line) => console.log(line) })
  console.log(`\n${PRODUCER_TABLE_HEADER}`)
  for (const row of rows) console.log(formatProducerRow(row))
}

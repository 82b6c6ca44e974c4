/**
 * Streams throughput: records per second through a stateless map-filter pipeline and through a
 * stateful per-key aggregation, measured side by side in one run.
 *
 * Set-up: a broker in a separate process (file storage in a temporary directory) and one input topic
 * of `partitions` partitions holding `records` pre-produced records: keys `c0`…`c999`, JSON values of
 * about 100 bytes (`{"amount":n,"note":"…"}`), written as uncompressed batches of 1,000.
 *
 * Map-filter (parse the JSON, keep amounts ≥ 50 — about half —, write `{ amount, doubled }` as JSON),
 * timed from subscribing / `run()` until the last output is acknowledged (acks=all), a new consumer
 * group each run:
 * - `fromTopic → filter → map → toTopic` (this package; at least once, commits every second), with
 *   zod-typed topics (every input and output validated), and with topics named only (Buffers,
 *   `JSON.parse` in a `map`);
 * - the same by hand with our Consumer (`eachBatch`) and Producer (`sendBatch` per batch, awaited,
 *   `lingerMs: 0`), no RxJS;
 * - the same by hand with kafkajs 2.2.4 (`eachBatch`, `producer.send` per batch).
 *
 * Aggregation (per key: count and sum, one output per input record), timed from `start()` until every
 * input offset is committed, a new application each run: `exactlyOnce` and `atLeastOnce`, both
 * committing every 100 ms (exactly-once: outputs, changelog and offsets in one transaction each time).
 *
 * Runs alternate between the variants, one unreported warm-up round and then `rounds` rounds; each
 * row is the median with the range beside it.
 *
 * Run: `npm run bench -w @tributary/streams` (or `npm run bench -- --only streams`, or import {@link runStreamsBench}).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '@tributary/client'
import { Consumer } from '@tributary/consumer'
import { Producer } from '@tributary/producer'
import { encodeRecordBatch } from '@tributary/protocol'
import { RawClient, createTopic, produce, startBenchBrokerProcess } from '@tributary/testkit'
import { Kafka, logLevel } from 'kafkajs'
import { filter, map } from 'rxjs'
import { z } from 'zod'
import { aggregate, atLeastOnce, defineTopic, exactlyOnce, fromTopic, toTopic } from '../src/index.js'

export interface StreamsBenchOptions {
  /** Records to pre-produce and process per run (default 200,000). */
  records?: number
  /** Partitions of the input topic (default 4). */
  partitions?: number
  /** Measured runs per variant (default 3). */
  rounds?: number
  log?: (line: string) => void
}

/** One row: a variant, its median rate, the range, and the ratio to the row it is compared with. */
export interface StreamsBenchRow {
  variant: string
  recordsPerSecond: number
  range: [number, number]
  /** Rate relative to the first row of its group (map-filter: this package; aggregation: exactly-once). */
  relative: number
}

const BATCH = 1_000
const KEYS = 1_000
const Order = z.object({ amount: z.number(), note: z.string() })
const Doubled = z.object({ amount: z.number(), doubled: z.number() })
const Totals = z.object({ count: z.number(), sum: z.number() })

type Variant = { name: string; group: 'map-filter' | 'aggregation'; run: (bootstrap: string, input: string, total: number, expectedOutputs: number, id: string) => Promise<number> }

const VARIANTS: Variant[] = [
  { name: 'map-filter: fromTopic → filter → map → toTopic, zod-typed topics', group: 'map-filter', run: (b, i, t, e, id) => timeStreams(b, i, t, e, id, true) },
  { name: 'map-filter: the same with topics by name (JSON.parse, no schema)', group: 'map-filter', run: (b, i, t, e, id) => timeStreams(b, i, t, e, id, false) },
  { name: 'map-filter: by hand, our Consumer + Producer', group: 'map-filter', run: timeByHand },
  { name: 'map-filter: by hand, kafkajs 2.2.4', group: 'map-filter', run: timeKafkajs },
  { name: 'aggregate per key, exactlyOnce (commit every 100 ms)', group: 'aggregation', run: (b, i, t, _e, id) => timeAggregation(b, i, t, id, 'exactly-once') },
  { name: 'aggregate per key, atLeastOnce (commit every 100 ms)', group: 'aggregation', run: (b, i, t, _e, id) => timeAggregation(b, i, t, id, 'at-least-once') },
]

/**
 * Starts the broker process, pre-produces the records and measures every variant; about 2-3 minutes
 * with the defaults on a 2-vCPU machine.
 *
 * @example
 * ```ts
 * const rows = await runStreamsBench({ log: console.log })
 * for (const row of rows) console.log(formatStreamsRow(row))
 * ```
 */
export async function runStreamsBench(options: StreamsBenchOptions = {}): Promise<StreamsBenchRow[]> {
  const log = options.log ?? (() => {})
  const total = options.records ?? 200_000
  const partitions = options.partitions ?? 4
  const rounds = options.rounds ?? 3
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-streams-bench-'))
  const { child, port } = await startBenchBrokerProcess(dataDir)
  const bootstrap = `127.0.0.1:${port}`
  try {
    const input = 'streams-bench-orders'
    const started = performance.now()
    const kept = await preProduce(port, input, partitions, total)
    log(`pre-produced ${total.toLocaleString('en')} records into ${partitions} partitions in ${((performance.now() - started) / 1000).toFixed(1)} s (${kept.toLocaleString('en')} pass the filter)`)
    const times = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]))
    let id = 0
    for (let round = -1; round < rounds; round++) {
      for (const v of VARIANTS) {
        const ms = await v.run(bootstrap, input, total, kept, `bench-${process.pid}-${id++}`)
        log(`${round < 0 ? 'warm-up' : `round ${round + 1}`}: ${v.name}: ${Math.round((total / ms) * 1000).toLocaleString('en')} rec/s`)
        if (round >= 0) times.get(v.name)!.push(ms)
      }
    }
    const rows = VARIANTS.map((v) => {
      const rates = times.get(v.name)!.map((ms) => (total / ms) * 1000).sort((a, b) => a - b)
      return { variant: v.name, group: v.group, recordsPerSecond: rates[Math.floor(rates.length / 2)]!, range: [rates[0]!, rates[rates.length - 1]!] as [number, number] }
    })
    return rows.map((r) => ({ variant: r.variant, recordsPerSecond: r.recordsPerSecond, range: r.range, relative: r.recordsPerSecond / rows.find((x) => x.group === r.group)!.recordsPerSecond }))
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The markdown table header for {@link formatStreamsRow}. */
export const STREAMS_TABLE_HEADER = '| pipeline | records/s (median, range) | relative |\n|---|---|---|'

/** One markdown table row. */
export function formatStreamsRow(row: StreamsBenchRow): string {
  const k = (n: number) => `${Math.round(n / 1000).toLocaleString('en')} k`
  return `| ${row.variant} | ${k(row.recordsPerSecond)} (${k(row.range[0])}–${k(row.range[1])}) | ${row.relative.toFixed(2)}x |`
}

const doubled = (amount: number) => ({ amount, doubled: amount * 2 })

async function timeStreams(bootstrap: string, input: string, _total: number, expected: number, id: string, typed: boolean): Promise<number> {
  const producer = new Producer<Buffer | null, Buffer | null>({ bootstrapServers: bootstrap, logger: silentLogger })
  let written = 0
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const source = { bootstrapServers: bootstrap, logger: silentLogger, groupId: id, autoOffsetReset: 'earliest' as const }
  const started = performance.now()
  const pipeline = typed
    ? fromTopic({ ...source, topic: defineTopic(input, { value: Order }) }).pipe(
        filter((r) => r.value.amount >= 50),
        map((r) => ({ key: r.key, value: doubled(r.value.amount) })),
        toTopic(producer, defineTopic(`${input}-out`, { value: Doubled })),
      )
    : fromTopic({ ...source, topic: input }).pipe(
        map((r) => ({ key: r.key, order: JSON.parse(r.value!.toString()) as { amount: number } })),
        filter((r) => r.order.amount >= 50),
        map((r) => ({ key: r.key, value: JSON.stringify(doubled(r.order.amount)) })),
        toTopic(producer, `${input}-out`),
      )
  const subscription = pipeline.subscribe(() => void (++written === expected && done()))
  await finished
  const elapsed = performance.now() - started
  subscription.unsubscribe()
  await producer.close()
  return elapsed
}

async function timeByHand(bootstrap: string, input: string, _total: number, expected: number, id: string): Promise<number> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, logger: silentLogger, groupId: id, autoOffsetReset: 'earliest' })
  // It waits for every batch before taking the next, so lingering would only add latency.
  const producer = new Producer({ bootstrapServers: bootstrap, logger: silentLogger, lingerMs: 0 })
  let written = 0
  const stop = new AbortController()
  const started = performance.now()
  await consumer.subscribe([input])
  await consumer.run({
    signal: stop.signal,
    eachBatch: async ({ records }) => {
      const outs = []
      for (const r of records) {
        const order = JSON.parse(r.value!.toString()) as { amount: number }
        if (order.amount >= 50) outs.push({ topic: `${input}-out`, key: r.key, value: JSON.stringify(doubled(order.amount)) })
      }
      await producer.sendBatch(outs)
      written += outs.length
      if (written >= expected) stop.abort()
    },
  })
  const elapsed = performance.now() - started
  await consumer.close()
  await producer.close()
  return elapsed
}

async function timeKafkajs(bootstrap: string, input: string, _total: number, expected: number, id: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: id })
  const producer = kafka.producer()
  await Promise.all([consumer.connect(), producer.connect()])
  let written = 0
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const started = performance.now()
  await consumer.subscribe({ topic: input, fromBeginning: true })
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const messages = []
      for (const m of batch.messages) {
        const order = JSON.parse(m.value!.toString()) as { amount: number }
        if (order.amount >= 50) messages.push({ key: m.key, value: JSON.stringify(doubled(order.amount)) })
      }
      if (messages.length > 0) await producer.send({ topic: `${input}-out`, acks: -1, messages })
      written += messages.length
      if (written >= expected) done()
    },
  })
  await finished
  const elapsed = performance.now() - started
  await Promise.all([consumer.disconnect(), producer.disconnect()])
  return elapsed
}

async function timeAggregation(bootstrap: string, input: string, _total: number, id: string, guarantee: 'exactly-once' | 'at-least-once'): Promise<number> {
  const run = guarantee === 'exactly-once' ? exactlyOnce : atLeastOnce
  const ends = await endOffsets(bootstrap, input)
  const app = run({
    application: id,
    bootstrapServers: bootstrap,
    logger: silentLogger,
    commitIntervalMs: 100,
    input: defineTopic(input, { value: Order }),
    output: defineTopic(`${input}-totals`, { value: Totals }),
    process: (orders$) =>
      orders$.pipe(
        aggregate(() => ({ count: 0, sum: 0 }), (t, r) => ({ count: t.count + 1, sum: t.sum + r.value.amount }), { store: 'totals' }),
        map(({ key, value }) => ({ key, value })),
      ),
  })
  const committed = new Map<number, number>()
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  app.events.subscribe((e) => {
    if (e.type !== 'committed') return
    for (const o of e.offsets) committed.set(o.partition, o.offset)
    if ([...ends].every(([p, end]) => end === 0 || committed.get(p) === end)) done()
  })
  const started = performance.now()
  await app.start()
  await finished
  const elapsed = performance.now() - started
  await app.close()
  return elapsed
}

async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const { Admin } = await import('@tributary/client')
  const admin = new Admin({ bootstrapServers: bootstrap, logger: silentLogger })
  try {
    return new Map((await admin.listOffsets([{ topic }])).map((o) => [o.partition, Number(o.offset)]))
  } finally {
    await admin.close()
  }
}

/** Writes the input; returns how many records pass the filter. */
async function preProduce(port: number, topic: string, partitions: number, total: number): Promise<number> {
  const client = await RawClient.connect(port)
  let kept = 0
  try {
    await createTopic(client, topic, partitions)
    await createTopic(client, `${topic}-out`, partitions)
    await createTopic(client, `${topic}-totals`, partitions)
    const sends: Promise<number>[] = []
    for (let n = 0; n < total; n += BATCH) {
      const records = []
      for (let i = n; i < Math.min(total, n + BATCH); i++) {
        const amount = (i * 7919) % 100
        if (amount >= 50) kept++
        records.push({ key: Buffer.from(`c${i % KEYS}`), value: Buffer.from(JSON.stringify({ amount, note: 'x'.repeat(70) })) })
      }
      sends.push(produce(client, topic, (n / BATCH) % partitions, encodeRecordBatch({ records }), { acks: 1 }))
      if (sends.length >= 64) await Promise.all(sends.splice(0))
    }
    await Promise.all(sends)
    return kept
  } finally {
    await client.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const rows = await runStreamsBench({ log: console.log })
  console.log(`\n${STREAMS_TABLE_HEADER}`)
  for (const row of rows) console.log(formatStreamsRow(row))
}

/**
 * One small function per bench turning its recorded rows into chart bars.
 *
 * The row types restate the result types of the bench files (`packages/<pkg>/bench/*.bench.ts`): this
 * package may import no other package's bench code (only public entry points, see tools/repo-checks),
 * so a change there needs the matching change here; the mappers check every field they read, so a
 * results file of another shape fails loudly instead of charting nonsense.
 */

/** One bar: a client or variant's throughput within a group (an operation, a mode; '' when the bench has one). */
export interface Bar {
  group: string
  label: string
  /** Ours (Tributary) rather than a reference (kafkajs, @platformatic/kafka, a hand-written loop). */
  ours: boolean
  value: number
  /** Slowest and fastest round, when the bench reports them; drawn as a whisker. */
  range?: [number, number]
}

export interface ChartData {
  /** The value axis title, with its unit. */
  unit: string
  bars: Bar[]
}

/** Versions of the reference clients of the run (`BenchResults.versions`). */
export type Versions = Record<string, string>

/** `packages/protocol/bench/record-batch.bench.ts`: RecordBatchBenchResult. */
export interface ProtocolRow {
  operation: 'encode' | 'decode'
  compression: 'none' | 'lz4'
  oursRecordsPerSecond: number
  kafkajsRecordsPerSecond: number
  ratio: number
}

/** `packages/broker/bench/broker.bench.ts`: BrokerBenchResult. */
export interface BrokerRow {
  operation: 'ingest' | 'fetch'
  recordSize: number
  recordsPerSecond: number
  megabytesPerSecond: number
  rangeMegabytesPerSecond: [number, number]
  records: number
  rounds: number
}

/** `packages/producer/bench/producer.bench.ts`: ProducerBenchResult. */
export interface ProducerRow {
  client: 'tributary-send' | 'tributary-sendBatch' | 'kafkajs' | 'platformatic-kafka'
  recordsPerSecond: number
  megabytesPerSecond: number
  ratioToKafkajs: number
  range: [number, number]
  cpuMicrosPerRecord: number
  rounds: number
}

/** `packages/streams/bench/streams.bench.ts`: StreamsBenchRow. */
export interface StreamsRow {
  variant: string
  recordsPerSecond: number
  range: [number, number]
  relative: number
}

/** `packages/consumer/bench/consumer.bench.ts`: ConsumerBenchRow. */
export interface ConsumerRow {
  mode: 'eachMessage' | 'eachBatch' | 'for await'
  ours: { recordsPerSecond: number; megabytesPerSecond: number; range: [number, number] }
  kafkajs: { recordsPerSecond: number; megabytesPerSecond: number; range: [number, number] } | null
  ratio: number | null
}

/** A reference client's label, with its version when the run recorded it. */
function reference(name: string, versions: Versions): string {
  return versions[name] ? `${name} ${versions[name]}` : name
}

function check(bench: string, ok: boolean, row: unknown, what: string): void {
  if (!ok) throw new Error(`${bench} results: row ${JSON.stringify(row)} ${what}; has the bench's result type changed? (tools/bench-charts/src/mappers.ts)`)
}

const isRate = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0
const isRange = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && isRate(x[0]) && isRate(x[1])

export function protocolChart(rows: ProtocolRow[], versions: Versions): ChartData {
  const bars = rows.flatMap((r): Bar[] => {
    check('protocol', typeof r.operation === 'string' && typeof r.compression === 'string', r, 'has no operation or compression')
    check('protocol', isRate(r.oursRecordsPerSecond) && isRate(r.kafkajsRecordsPerSecond), r, 'has no oursRecordsPerSecond or kafkajsRecordsPerSecond')
    const group = `${r.operation}, compression ${r.compression}`
    return [
      { group, label: 'ours', ours: true, value: r.oursRecordsPerSecond },
      { group, label: reference('kafkajs', versions), ours: false, value: r.kafkajsRecordsPerSecond },
    ]
  })
  return { unit: 'records/s (median)', bars }
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`
}

export function brokerChart(rows: BrokerRow[]): ChartData {
  const bars = rows.map((r): Bar => {
    check('broker', typeof r.operation === 'string' && isRate(r.recordSize), r, 'has no operation or recordSize')
    check('broker', isRate(r.megabytesPerSecond) && isRange(r.rangeMegabytesPerSecond), r, 'has no megabytesPerSecond or rangeMegabytesPerSecond')
    return { group: r.operation, label: `${sizeLabel(r.recordSize)} records`, ours: true, value: r.megabytesPerSecond, range: r.rangeMegabytesPerSecond }
  })
  return { unit: 'MB/s of record values (median of rounds)', bars }
}

const PRODUCER_CLIENTS: Record<string, (versions: Versions) => { label: string; ours: boolean }> = {
  'tributary-send': () => ({ label: 'ours, send() per record', ours: true }),
  'tributary-sendBatch': () => ({ label: 'ours, sendBatch() of 600', ours: true }),
  kafkajs: (v) => ({ label: `${reference('kafkajs', v)}, send() of 600`, ours: false }),
  'platformatic-kafka': (v) => ({ label: `${reference('@platformatic/kafka', v)}, send() of 600`, ours: false }),
}

export function producerChart(rows: ProducerRow[], versions: Versions): ChartData {
  const bars = rows.map((r): Bar => {
    check('producer', typeof r.client === 'string', r, 'has no client')
    check('producer', isRate(r.recordsPerSecond) && isRange(r.range), r, 'has no recordsPerSecond or range')
    // A client this table does not know yet is still drawn, under its id.
    const { label, ours } = PRODUCER_CLIENTS[r.client]?.(versions) ?? { label: r.client, ours: r.client.startsWith('tributary') }
    return { group: '', label, ours, value: r.recordsPerSecond, range: r.range }
  })
  return { unit: 'records/s (median of rounds)', bars }
}

export function streamsChart(rows: StreamsRow[]): ChartData {
  const bars = rows.map((r): Bar => {
    check('streams', typeof r.variant === 'string', r, 'has no variant')
    check('streams', isRate(r.recordsPerSecond) && isRange(r.range), r, 'has no recordsPerSecond or range')
    // Variants read `map-filter: <how>` or `aggregate per key, <how>`.
    const colon = r.variant.indexOf(': ')
    const [group, label] = colon >= 0 ? [r.variant.slice(0, colon), r.variant.slice(colon + 2)] : r.variant.startsWith('aggregate') ? ['aggregation', r.variant] : ['', r.variant]
    return { group, label, ours: !/\bby hand\b/.test(r.variant), value: r.recordsPerSecond, range: r.range }
  })
  return { unit: 'records/s (median of rounds)', bars }
}

export function consumerChart(rows: ConsumerRow[], versions: Versions): ChartData {
  const side = (s: ConsumerRow['ours']) => isRate(s?.recordsPerSecond) && isRange(s?.range)
  const bars = rows.flatMap((r): Bar[] => {
    check('consumer', typeof r.mode === 'string' && side(r.ours), r, 'has no mode, or no ours.recordsPerSecond and ours.range')
    check('consumer', r.kafkajs === null || side(r.kafkajs), r, 'has a kafkajs side without recordsPerSecond and range')
    const bars: Bar[] = [{ group: r.mode, label: 'ours', ours: true, value: r.ours.recordsPerSecond, range: r.ours.range }]
    // kafkajs has no `for await` mode: null there, not a dropped client.
    if (r.kafkajs) bars.push({ group: r.mode, label: reference('kafkajs', versions), ours: false, value: r.kafkajs.recordsPerSecond, range: r.kafkajs.range })
    return bars
  })
  return { unit: 'records/s (median of rounds)', bars }
}

/** Every bench's mapper, by its name in `bench/run.ts` (rows come from JSON: each mapper checks what it reads). */
export const MAPPERS: Record<string, (rows: never[], versions: Versions) => ChartData> = {
  protocol: protocolChart,
  broker: brokerChart,
  producer: producerChart,
  streams: streamsChart,
  consumer: consumerChart,
}

/** The chart data of one bench's rows; throws for a bench without a mapper. */
export function chartData(bench: string, rows: unknown[], versions: Versions = {}): ChartData {
  const mapper = MAPPERS[bench]
  if (!mapper) throw new Error(`no chart mapper for bench "${bench}"; add one to MAPPERS in tools/bench-charts/src/mappers.ts`)
  const data = mapper(rows as never[], versions)
  if (data.bars.length === 0) throw new Error(`${bench} results: no rows to chart`)
  return data
}

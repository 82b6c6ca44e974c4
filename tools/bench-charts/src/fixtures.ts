// Synthetic results shaped exactly like each bench's rows, for the tests (not measurements).
import type { BenchResults } from './results.ts'
import type { BrokerRow, ConsumerRow, ProducerRow, ProtocolRow, StreamsRow } from './mappers.ts'

export const protocolRows: ProtocolRow[] = [
  { operation: 'encode', compression: 'none', oursRecordsPerSecond: 11_400_000, kafkajsRecordsPerSecond: 340_000, ratio: 33.5 },
  { operation: 'decode', compression: 'none', oursRecordsPerSecond: 10_800_000, kafkajsRecordsPerSecond: 1_400_000, ratio: 7.7 },
  { operation: 'encode', compression: 'lz4', oursRecordsPerSecond: 5_200_000, kafkajsRecordsPerSecond: 350_000, ratio: 14.9 },
  { operation: 'decode', compression: 'lz4', oursRecordsPerSecond: 5_100_000, kafkajsRecordsPerSecond: 1_160_000, ratio: 4.4 },
]

export const brokerRows: BrokerRow[] = [
  { operation: 'ingest', recordSize: 1024, recordsPerSecond: 501_000, megabytesPerSecond: 513, rangeMegabytesPerSecond: [356, 560], records: 3_000_000, rounds: 3 },
  { operation: 'fetch', recordSize: 1024, recordsPerSecond: 442_000, megabytesPerSecond: 453, rangeMegabytesPerSecond: [320, 639], records: 3_000_000, rounds: 3 },
  { operation: 'ingest', recordSize: 100, recordsPerSecond: 2_730_000, megabytesPerSecond: 273, rangeMegabytesPerSecond: [240, 381], records: 16_000_000, rounds: 3 },
  { operation: 'fetch', recordSize: 100, recordsPerSecond: 2_690_000, megabytesPerSecond: 269, rangeMegabytesPerSecond: [231, 399], records: 16_000_000, rounds: 3 },
]

export const producerRows: ProducerRow[] = [
  { client: 'tributary-send', recordsPerSecond: 323_000, megabytesPerSecond: 32.3, ratioToKafkajs: 2.99, range: [262_000, 434_000], cpuMicrosPerRecord: 1.93, rounds: 3 },
  { client: 'tributary-sendBatch', recordsPerSecond: 534_000, megabytesPerSecond: 53.4, ratioToKafkajs: 5.38, range: [393_000, 602_000], cpuMicrosPerRecord: 1.43, rounds: 3 },
  { client: 'kafkajs', recordsPerSecond: 99_000, megabytesPerSecond: 9.9, ratioToKafkajs: 1, range: [88_000, 112_000], cpuMicrosPerRecord: 7.8, rounds: 3 },
  { client: 'platformatic-kafka', recordsPerSecond: 150_000, megabytesPerSecond: 15, ratioToKafkajs: 1.5, range: [140_000, 160_000], cpuMicrosPerRecord: 5.1, rounds: 3 },
]

export const streamsRows: StreamsRow[] = [
  { variant: 'map-filter: fromTopic → filter → map → toTopic, zod-typed topics', recordsPerSecond: 151_000, range: [145_000, 243_000], relative: 1 },
  { variant: 'map-filter: the same with topics by name (JSON.parse, no schema)', recordsPerSecond: 179_000, range: [166_000, 191_000], relative: 1.19 },
  { variant: 'map-filter: by hand, our Consumer + Producer', recordsPerSecond: 323_000, range: [302_000, 391_000], relative: 2.14 },
  { variant: 'map-filter: by hand, kafkajs 2.2.4', recordsPerSecond: 126_000, range: [120_000, 127_000], relative: 0.83 },
  { variant: 'aggregate per key, exactlyOnce (commit every 100 ms)', recordsPerSecond: 102_000, range: [97_000, 110_000], relative: 1 },
  { variant: 'aggregate per key, atLeastOnce (commit every 100 ms)', recordsPerSecond: 114_000, range: [112_000, 124_000], relative: 1.12 },
]

export const consumerRows: ConsumerRow[] = [
  { mode: 'eachMessage', ours: { recordsPerSecond: 2_630_000, megabytesPerSecond: 263, range: [1_870_000, 2_770_000] }, kafkajs: { recordsPerSecond: 330_000, megabytesPerSecond: 33, range: [300_000, 340_000] }, ratio: 7.9 },
  { mode: 'eachBatch', ours: { recordsPerSecond: 2_800_000, megabytesPerSecond: 280, range: [2_570_000, 2_880_000] }, kafkajs: { recordsPerSecond: 600_000, megabytesPerSecond: 60, range: [570_000, 610_000] }, ratio: 4.6 },
  { mode: 'for await', ours: { recordsPerSecond: 2_060_000, megabytesPerSecond: 206, range: [1_510_000, 2_070_000] }, kafkajs: null, ratio: null },
]

export const ROWS: Record<string, unknown[]> = { protocol: protocolRows, broker: brokerRows, producer: producerRows, streams: streamsRows, consumer: consumerRows }

/** A results file around synthetic rows. */
export function syntheticResults(bench: string, rows: unknown[] = ROWS[bench]!): BenchResults {
  return {
    bench,
    title: `${bench[0]!.toUpperCase()}${bench.slice(1)}: a synthetic run`,
    date: '2026-01-02',
    node: 'v20.20.2',
    cpu: '2 × Test CPU @ 2.20GHz',
    versions: { kafkajs: '2.2.4', '@platformatic/kafka': '1.35.0' },
    rows,
    table: ['| a | b |', '|---|---|'],
  }
}

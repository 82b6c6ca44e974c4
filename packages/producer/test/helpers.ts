import { Admin, type Logger } from '@tributary/client'
import { ApiVersionsApi, RECORD_COUNT_OFFSET, decodeRecordBatches, type ProduceRequest } from '@tributary/protocol'
import { RawClient, fetchPartition, startTestBroker, type TestBroker } from '@tributary/testkit'
import type { Broker, BrokerOptions } from '@tributary/broker'
import { afterAll, beforeAll } from 'vitest'
import { Producer, type ProducerOptions } from '../src/index.js'

/** A logger that keeps what the producer logs, so tests can assert on warnings. */
export interface CapturingLogger extends Logger {
  readonly lines: string[]
  matching(text: string): string[]
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = []
  const add = (level: string) => (message: string) => void lines.push(`${level} ${message}`)
  return {
    lines,
    debug: () => {},
    info: add('INFO'),
    warn: add('WARN'),
    error: add('ERROR'),
    matching: (text) => lines.filter((l) => l.includes(text)),
  }
}

/** Creates topics with the given partition counts through the admin client. */
export async function createTopics(broker: Broker, topics: Record<string, number>, configs: Record<string, string> = {}): Promise<void> {
  const admin = new Admin({ bootstrapServers: broker.bootstrapServers, logger: capturingLogger() })
  try {
    await admin.createTopics(Object.entries(topics).map(([name, partitions]) => ({ name, partitions, configs })))
  } finally {
    await admin.close()
  }
}

/**
 * The API keys (by name) among `names` that the broker does not advertise in ApiVersions, asked at run
 * time so that tests needing them run as soon as the broker serves them.
 */
export async function missingApis(broker: Broker, apis: Record<string, number>): Promise<string[]> {
  const client = await RawClient.connect(broker.port)
  try {
    const res = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'tributary-producer-tests', clientSoftwareVersion: '0' })
    const served = new Set(res.apiKeys.map((k) => k.apiKey))
    return Object.entries(apis)
      .filter(([, key]) => !served.has(key))
      .map(([name, key]) => `${name} (API key ${key})`)
  } finally {
    await client.close()
  }
}

/** What the idempotence checks need the broker to serve. */
export const IDEMPOTENCE_APIS = { InitProducerId: 22 }
/** What the transaction tests need the broker to serve. */
export const TRANSACTION_APIS = { InitProducerId: 22, AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, TxnOffsetCommit: 28 }

/** The reason a test is skipped while the broker lacks APIs, printed once per reason so it shows in any log. */
const printed = new Set<string>()
export function skipReason(missing: string[], what: string): string | undefined {
  if (missing.length === 0) return undefined
  const reason = `${what}: the broker does not serve ${missing.join(', ')} yet, so this test is skipped until it does (checked with ApiVersions at run time)`
  if (!printed.has(reason)) {
    printed.add(reason)
    process.stderr.write(`${reason}\n`)
  }
  return reason
}

/** A record read back from a partition. */
export interface StoredRecord {
  offset: number
  key: string | null
  value: string | null
  headers: Record<string, string>
  timestamp: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  compression: string
}

/** Reads a partition from offset 0 to its end (data records only; transaction markers skipped). */
export async function readPartition(t: TestBroker | Broker, topic: string, partition = 0, isolationLevel = 0): Promise<StoredRecord[]> {
  const broker = 'broker' in t ? t.broker : t
  const client = await RawClient.connect(broker.port)
  const out: StoredRecord[] = []
  try {
    let offset = 0
    for (;;) {
      const data = await fetchPartition(client, topic, partition, offset, { isolationLevel })
      const batches = data.records && data.records.length > 0 ? decodeRecordBatches(data.records) : []
      const aborted = new Set((data.abortedTransactions ?? []).map((a) => a.producerId))
      let advanced = false
      for (const b of batches) {
        const next = Number(b.baseOffset) + b.lastOffsetDelta + 1
        if (next > offset) {
          offset = next
          advanced = true
        }
        if (b.isControl || (isolationLevel === 1 && b.isTransactional && aborted.has(b.producerId))) continue
        for (const r of b.records) {
          out.push({
            offset: r.offset,
            key: r.key?.toString('utf8') ?? null,
            value: r.value?.toString('utf8') ?? null,
            headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? ''])),
            timestamp: r.timestamp,
            producerId: b.producerId,
            producerEpoch: b.producerEpoch,
            baseSequence: b.baseSequence,
            compression: b.compression,
          })
        }
      }
      if (!advanced) return out
    }
  } finally {
    await client.close()
  }
}

/** Produce requests the broker receives while recording, with the records each partition's batch carries. */
export interface ProduceLog {
  requests: { acks: number; partitions: { topic: string; partition: number; records: number; batchBytes: number }[] }[]
  stop(): void
}

/** Records every Produce request (decoding only batch headers) until `stop()`. */
export function recordProduceRequests(broker: Broker): ProduceLog {
  const requests: ProduceLog['requests'] = []
  const stop = broker.intercept((r) => {
    if (r.apiName !== 'Produce') return
    const req = r.request as ProduceRequest
    requests.push({
      acks: req.acks,
      partitions: req.topicData.flatMap((t) =>
        t.partitionData.map((p) => ({ topic: t.name, partition: p.index, records: p.records ? p.records.readInt32BE(RECORD_COUNT_OFFSET) : 0, batchBytes: p.records?.length ?? 0 })),
      ),
    })
  })
  return { requests, stop }
}

/** A suite's broker (started before its tests) and the producers its tests make: see {@link producerSuite}. */
export interface ProducerSuite extends TestBroker {
  /** A producer against the broker, logging to a {@link capturingLogger}; closed after the suite. */
  producer<K = any, V = any>(options?: Partial<ProducerOptions<K, V>>): Producer<K, V>
}

/**
 * Starts a broker before the calling suite's tests and closes it after them, once every producer made
 * with `producer()` is closed (each given `closeTimeoutMs` to deliver what it holds).
 */
export function producerSuite(options: { broker?: BrokerOptions; closeTimeoutMs?: number } = {}): ProducerSuite {
  let t: TestBroker | undefined
  const producers: Producer<any, any>[] = []
  beforeAll(async () => {
    t = await startTestBroker(options.broker)
  })
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.close(options.closeTimeoutMs === undefined ? undefined : { timeoutMs: options.closeTimeoutMs })))
    await t?.broker.close()
  })
  const started = (): TestBroker => {
    if (!t) throw new Error('the suite broker starts in beforeAll: use it inside a test or hook')
    return t
  }
  const suite: ProducerSuite = {
    get broker() {
      return started().broker
    },
    get log() {
      return started().log
    },
    producer: (producerOptions = {}) => {
      const p = new Producer({ bootstrapServers: suite.broker.bootstrapServers, logger: capturingLogger(), ...producerOptions })
      producers.push(p)
      return p
    },
  }
  return suite
}

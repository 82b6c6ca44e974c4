/**
 * The bench's client process: runs one producer (ours, kafkajs or @platformatic/kafka) against the
 * bench broker and reports how long it took to get every record acknowledged. Forked by
 * `producer.bench.ts`, one process per run, so that each client starts with a fresh heap and JIT and
 * never shares a thread with the broker. Every client first sends one untimed warm-up record, so a
 * run writes `records + 1` records in all.
 */
import { ProduceAcks, Producer as PlatformaticProducer } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { Producer, type ProducerRecord } from '../src/index.js'

/** One run: which client, where, how much. */
export interface ClientJob {
  client: 'tributary-send' | 'tributary-sendBatch' | 'kafkajs' | 'platformatic-kafka'
  bootstrapServers: string
  topic: string
  records: number
  recordSize: number
  /** Records per call (every client but `tributary-send`). */
  chunk: number
  /** Calls outstanding at once (every client but `tributary-send`, whose records outstanding are bounded by bufferMemory). */
  concurrency: number
}

/** What a run reports back. */
export interface ClientResult {
  ok: true
  seconds: number
  /** CPU time (user + system) the client process spent during the timed part. */
  cpuSeconds: number
  records: number
}

const noLogger = { debug() {}, info() {}, warn() {}, error() {} }

/** Runs a job in this process (also usable without forking, for profiling). */
export async function runClientJob(job: ClientJob): Promise<ClientResult> {
  const value = Buffer.alloc(job.recordSize, 0x61)
  if (job.client === 'kafkajs') return runKafkajs(job, value)
  if (job.client === 'platformatic-kafka') return runPlatformatic(job, value)
  // acks: 1 turns idempotence off (it needs acks: 'all'), as in the Java client; said outright here.
  const producer = new Producer({ bootstrapServers: job.bootstrapServers, clientId: 'bench', acks: 1, enableIdempotence: false, lingerMs: 5, batchSize: 16_384, logger: noLogger })
  await producer.connect()
  await producer.send({ topic: job.topic, value })
  const started = performance.now()
  const cpu = process.cpuUsage()
  if (job.client === 'tributary-send') {
    // One send() per record, as a service producing from a loop does, awaiting every 1,000th record's
    // acknowledgement once `concurrency` thousand are outstanding. A failed send would surface as an
    // unhandled rejection and fail the run.
    const marks: Promise<unknown>[] = []
    for (let i = 0; i < job.records; i++) {
      const sent = producer.send({ topic: job.topic, value })
      if (i % 1000 === 999) {
        marks.push(sent)
        if (marks.length >= job.concurrency * 4) await marks.shift()
      }
    }
    await producer.flush()
    await Promise.all(marks)
  } else {
    await inChunks<ProducerRecord>(job, (records) => producer.sendBatch(records), (n) => Array.from({ length: n }, () => ({ topic: job.topic, value })))
  }
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = cpuSince(cpu)
  await producer.close()
  return { ok: true, seconds, cpuSeconds, records: job.records }
}

async function runKafkajs(job: ClientJob, value: Buffer): Promise<ClientResult> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [job.bootstrapServers], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({ topic: job.topic, messages: [{ value }], acks: 1 })
  const started = performance.now()
  const cpu = process.cpuUsage()
  await inChunks<{ value: Buffer }>(
    job,
    (messages) => producer.send({ topic: job.topic, messages, acks: 1 }),
    (n) => Array.from({ length: n }, () => ({ value })),
  )
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = cpuSince(cpu)
  await producer.disconnect()
  return { ok: true, seconds, cpuSeconds, records: job.records }
}

/**
 * @platformatic/kafka has no accumulator either: each `send()` is one Produce request per broker
 * carrying that call's messages, one record batch per partition. Its ProducerStream batches, but keeps
 * one `send()` outstanding at a time, so it cannot have five requests in flight; hence plain `send()`
 * calls shaped as kafkajs's.
 */
async function runPlatformatic(job: ClientJob, value: Buffer): Promise<ClientResult> {
  // Not idempotent (its default, as kafkajs's; idempotence would force acks=all and one request in
  // flight); maxInflights 5 is its default per connection, said outright here.
  const producer = new PlatformaticProducer({ clientId: 'bench', bootstrapBrokers: [job.bootstrapServers], idempotent: false, maxInflights: 5 })
  // send() reads acks from its own options only (LEADER by default when not idempotent), so every
  // call names it, as with kafkajs.
  await producer.send({ messages: [{ topic: job.topic, value }], acks: ProduceAcks.LEADER })
  const started = performance.now()
  const cpu = process.cpuUsage()
  await inChunks<{ topic: string; value: Buffer }>(
    job,
    (messages) => producer.send({ messages, acks: ProduceAcks.LEADER }),
    (n) => Array.from({ length: n }, () => ({ topic: job.topic, value })),
  )
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = cpuSince(cpu)
  await producer.close()
  return { ok: true, seconds, cpuSeconds, records: job.records }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1e6
}

/** Sends `job.records` records in chunks, `job.concurrency` chunk sends outstanding at once. */
async function inChunks<T>(job: ClientJob, sendChunk: (records: T[]) => Promise<unknown>, makeChunk: (n: number) => T[]): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < job.records) {
      const n = Math.min(job.chunk, job.records - next)
      next += n
      await sendChunk(makeChunk(n))
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker))
}

if (process.send) {
  process.on('message', (job: ClientJob) => {
    runClientJob(job).then(
      (result) => process.send!(result),
      (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
  })
}

/**
 * The broker bench's load generator, run in its own process (forked by `broker.bench.ts`) so its
 * work does not share the broker's event loop. It receives one job at a time over IPC, runs it
 * with raw protocol requests on one pipelined connection, and answers with the measurement.
 */
import {
  BATCH_LENGTH_OFFSET,
  ErrorCode,
  FetchApi,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  ProduceApi,
  RECORD_BATCH_HEADER_SIZE,
  RECORD_COUNT_OFFSET,
  decodeResponseFrame,
  encodeRecordBatch,
  encodeRequestFrame,
  errorTableEntry,
} from '@tributary/protocol'
import { RawConnection } from '../test/fixtures/raw-connection.js'
import type { FetchJob, Job, JobResult, Measurement, ProduceJob } from './messages.js'

const PRODUCE_VERSION = 9
const FETCH_VERSION = 12

/**
 * Sends the same pre-encoded request (one batch per partition) over and over, `inFlight` at a
 * time: the batches are encoded once, so the generator's own cost per request is a 12-byte copy
 * and the decoding of a small response. Counts acknowledged records during the measured window.
 */
async function produce(job: ProduceJob): Promise<Measurement> {
  const conn = await RawConnection.connect(job.port)
  const value = Buffer.alloc(job.recordSize, 'x')
  const batch = encodeRecordBatch({ records: Array.from({ length: job.recordsPerBatch }, (_, i) => ({ key: null, value, timestamp: 1_800_000_000_000 + i })) })
  const frame = encodeRequestFrame(ProduceApi, PRODUCE_VERSION, { correlationId: 0, clientId: 'tributary-bench' }, {
    acks: job.acks,
    timeoutMs: 30_000,
    topicData: [{ name: job.topic, partitionData: Array.from({ length: job.partitions }, (_, index) => ({ index, records: batch })) }],
  })
  const recordsPerRequest = job.recordsPerBatch * job.partitions
  const start = performance.now()
  const measureFrom = start + job.warmupMs
  const end = measureFrom + job.durationMs
  let requests = 0
  const worker = async () => {
    while (performance.now() < end) {
      const response = decodeResponseFrame(ProduceApi, PRODUCE_VERSION, await conn.requestEncoded(frame)).body
      for (const topic of response.responses) {
        for (const p of topic.partitionResponses) {
          if (p.errorCode !== ErrorCode.NONE) throw new Error(`produce to ${topic.name}-${p.index} failed: ${errorName(p.errorCode)} ${p.errorMessage ?? ''}`)
        }
      }
      if (performance.now() >= measureFrom) requests++
    }
  }
  await Promise.all(Array.from({ length: job.inFlight }, worker))
  const seconds = (performance.now() - measureFrom) / 1000
  conn.close()
  const records = requests * recordsPerRequest
  return { records, payloadBytes: records * job.recordSize, batchBytes: requests * job.partitions * batch.length, seconds }
}

/**
 * Reads each partition from 0 to its high watermark, one fetch in flight per partition (a
 * consumer's pattern), counting records from the batch headers without decoding the records.
 */
async function fetch(job: FetchJob): Promise<Measurement> {
  const conn = await RawConnection.connect(job.port)
  let records = 0
  let batchBytes = 0
  const readPartition = async (partition: number) => {
    let offset = 0
    for (;;) {
      const response = await conn.request(FetchApi, FETCH_VERSION, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: job.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: job.topic, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: job.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n }] }],
      })
      const data = response.responses[0]?.partitions[0]
      if (!data || data.errorCode !== ErrorCode.NONE) throw new Error(`fetch from ${job.topic}-${partition} at ${offset} failed: ${data ? errorName(data.errorCode) : 'no partition in the response'}`)
      const bytes = data.records ?? Buffer.alloc(0)
      const highWatermark = Number(data.highWatermark)
      let at = 0
      while (bytes.length - at >= RECORD_BATCH_HEADER_SIZE) {
        const size = bytes.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (at + size > bytes.length) break
        records += bytes.readInt32BE(at + RECORD_COUNT_OFFSET)
        offset = Number(bytes.readBigInt64BE(at)) + bytes.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) + 1
        batchBytes += size
        at += size
      }
      if (offset >= highWatermark) return
      if (at === 0) throw new Error(`fetch from ${job.topic}-${partition} at ${offset} returned no whole batch below the high watermark ${highWatermark}`)
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: job.partitions }, (_, p) => readPartition(p)))
  const seconds = (performance.now() - start) / 1000
  conn.close()
  return { records, payloadBytes: records * job.recordSize, batchBytes, seconds }
}

function errorName(code: number): string {
  return errorTableEntry(code)?.name ?? String(code)
}

process.on('message', (job: Job) => {
  const run = job.kind === 'produce' ? produce(job) : fetch(job)
  run.then(
    (measurement): JobResult => ({ ok: true, measurement }),
    (err: unknown): JobResult => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  ).then((result) => process.send!(result))
})

// The bench closes the channel when it is done: nothing is left to do.
process.on('disconnect', () => process.exit(0))

import { setTimeout as sleep } from 'node:timers/promises'
import { ErrorCode, FetchApi, ProduceApi, decodeRecordBatches, encodeRecordBatch, errorTableEntry } from '@tributary/protocol'
import { RawConnection } from '../test/fixtures/raw-connection.js'

/** What the well-behaved client saw. */
export interface SteadyReport {
  /** Produce-then-fetch rounds completed. */
  rounds: number
  /** The slowest operation, in milliseconds (reported, not asserted: the machine is shared). */
  slowestMs: number
  /** What went wrong: an operation that never completed, an error answer, a record not read back. */
  failures: string[]
}

/** A running well-behaved client. */
export interface SteadyClient {
  readonly report: SteadyReport
  /** Stops after the current round; resolves with the report. */
  stop(): Promise<SteadyReport>
}

/** An operation that takes this long has not completed: the broker is stuck for this client. */
const OPERATION_TIMEOUT_MS = 15_000

/**
 * A client that behaves, on a connection of its own, while a fuzzer attacks the broker: in a loop
 * it produces one record (acks=all) to `topic` partition 0 and fetches it back from the offset it
 * was given. Each operation must complete and succeed; failures are collected, not thrown.
 *
 * @example
 * ```ts
 * const steady = startSteadyClient(port, 'fuzz-steady')
 * // ... fuzz ...
 * const { rounds, failures } = await steady.stop()
 * ```
 */
export function startSteadyClient(port: number, topic: string): SteadyClient {
  const report: SteadyReport = { rounds: 0, slowestMs: 0, failures: [] }
  let stopping = false
  const timed = async <T>(what: string, op: Promise<T>): Promise<T> => {
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([op, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not complete within ${OPERATION_TIMEOUT_MS} ms`)), OPERATION_TIMEOUT_MS)))])
    } finally {
      clearTimeout(timer)
      report.slowestMs = Math.max(report.slowestMs, Date.now() - started)
    }
  }
  const loop = async () => {
    const conn = await RawConnection.connect(port)
    try {
      while (!stopping && report.failures.length < 10) {
        const value = `steady-${report.rounds}`
        const produced = await timed(
          'produce',
          conn.request(ProduceApi, 9, { acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from(value) }] }) }] }] }),
        )
        const result = produced.responses[0]?.partitionResponses[0]
        if (result?.errorCode !== ErrorCode.NONE) {
          report.failures.push(`produce answered ${errorTableEntry(result?.errorCode ?? -1)?.name ?? result?.errorCode}`)
          continue
        }
        const offset = result.baseOffset
        const fetched = await timed(
          'fetch',
          conn.request(FetchApi, 12, {
            replicaId: -1,
            maxWaitMs: 500,
            minBytes: 1,
            maxBytes: 1 << 20,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n }] }],
          }),
        )
        const data = fetched.responses[0]?.partitions[0]
        const records = decodeRecordBatches(data?.records ?? Buffer.alloc(0)).flatMap((b) => b.records)
        const read = records.find((r) => BigInt(r.offset) === offset)
        if (data?.errorCode !== ErrorCode.NONE || !read || Buffer.from(read.value ?? []).toString() !== value) {
          report.failures.push(`fetch at ${offset} did not return ${value} (error ${data?.errorCode})`)
          continue
        }
        report.rounds++
        await sleep(2)
      }
    } catch (err) {
      report.failures.push((err as Error).message)
    } finally {
      conn.close()
    }
  }
  const running = loop()
  return {
    report,
    async stop() {
      stopping = true
      await running
      return report
    },
  }
}

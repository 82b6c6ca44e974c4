import { setTimeout as sleep } from 'node:timers/promises'
import { CreateTopicsApi, ErrorCode, FetchApi, ProduceApi, encodeRecordBatch, encodeRequestFrame, MetadataApi } from '@tributary/protocol'
import { tempDir } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSteadyClient, type SteadyClient } from '../fuzz/steady-client.js'
import { spawnBroker, type BrokerChild, type ChildMemory } from './fixtures/broker-child.js'
import { countResponses, nonReader, openConnections, trickle } from './fixtures/hostile-clients.js'
import { RawConnection } from './fixtures/raw-connection.js'

/**
 * Hostile clients against a broker child process (so its memory is its own), each while a
 * well-behaved client produces and fetches on another connection: it must never stall, and the
 * broker's memory must stay bounded. Timeouts are shortened so each case takes seconds.
 */
const IDLE_MS = 3_000
const ASSEMBLY_MS = 2_000
const MIB = 1024 * 1024

let broker: BrokerChild
let steady: SteadyClient
const dir = tempDir('tributary-hostile-')

beforeAll(async () => {
  broker = await spawnBroker(dir.path, {
    logLevel: 'info',
    configs: { 'connections.max.idle.ms': String(IDLE_MS), 'request.assembly.timeout.ms': String(ASSEMBLY_MS) },
  })
  const conn = await RawConnection.connect(broker.port)
  try {
    const created = await conn.request(CreateTopicsApi, 7, {
      topics: [
        { name: 'steady', numPartitions: 1, replicationFactor: 1 },
        { name: 'big', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 10_000,
    })
    for (const t of created.topics) expect(t.errorCode, t.errorMessage ?? '').toBe(ErrorCode.NONE)
    // 1 MiB to fetch, so every answer a non-reader leaves unread is large.
    for (let i = 0; i < 16; i++) {
      const records = encodeRecordBatch({ records: [{ value: Buffer.alloc(64 * 1024, i) }] })
      const res = await conn.request(ProduceApi, 9, { acks: -1, timeoutMs: 10_000, topicData: [{ name: 'big', partitionData: [{ index: 0, records }] }] })
      expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE)
    }
  } finally {
    conn.close()
  }
  steady = startSteadyClient(broker.port, 'steady')
}, 30_000)

afterAll(async () => {
  const report = await steady?.stop()
  broker?.process.kill('SIGKILL')
  await broker?.exited
  dir.remove()
  expect(report?.failures).toEqual([])
})

/** The broker's memory after a full collection. */
const settled = () => broker.memory(true)
const buffers = (m: ChildMemory) => m.external + m.arrayBuffers

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** Resolves once the well-behaved client has completed `n` more rounds (it is not stalled). */
async function steadyProgresses(n = 5, timeoutMs = 10_000): Promise<void> {
  const target = steady.report.rounds + n
  const deadline = Date.now() + timeoutMs
  while (steady.report.rounds < target) {
    expect(steady.report.failures).toEqual([])
    if (Date.now() > deadline) throw new Error(`the well-behaved client completed ${steady.report.rounds} rounds, not ${target}, within ${timeoutMs} ms`)
    await sleep(20)
  }
}

describe('hostile clients (broker child process)', () => {
  it('closes a connection that trickles a request one byte per second once request.assembly.timeout.ms passes', async () => {
    const frame = encodeRequestFrame(MetadataApi, 12, { correlationId: 1, clientId: 'trickler' }, { topics: null })
    const result = trickle(broker.port, frame, 1_000)
    await steadyProgresses()
    const { openMs, bytesSent } = await result
    console.log(`trickler: closed after ${openMs} ms, ${bytesSent} of its ${frame.length} bytes sent`)
    expect(bytesSent).toBeLessThan(frame.length)
    expect(openMs).toBeGreaterThanOrEqual(ASSEMBLY_MS - 100)
    expect(openMs).toBeLessThan(ASSEMBLY_MS + 3_000)
    expect(broker.log()).toMatch(/closing connection \d+ .*a request took longer than 2000 ms to arrive .*request\.assembly\.timeout\.ms/)
    await steadyProgresses()
  }, 20_000)

  it('holds 2,000 idle connections at a bounded cost each, serves others meanwhile, and closes them after connections.max.idle.ms', async () => {
    const before = await settled()
    const held = await openConnections(broker.port, 2_000)
    expect(held.filter((c) => c.served)).toHaveLength(2_000)
    const during = await settled()
    await steadyProgresses()
    // RSS counts everything the connections cost (sockets, buffers, objects), and then some.
    const perConnection = (during.rss - before.rss) / 2_000
    console.log(`idle connections: RSS ${(before.rss / MIB).toFixed(0)} -> ${(during.rss / MIB).toFixed(0)} MiB for 2,000, ${(perConnection / 1024).toFixed(1)} KiB each; heap after GC ${(before.heapUsed / MIB).toFixed(1)} -> ${(during.heapUsed / MIB).toFixed(1)} MiB`)
    expect(perConnection).toBeLessThan(32 * 1024)
    const closedAt = await Promise.all(held.map((c) => c.closed))
    // Every one was closed by the broker for idleness: not before it had idled, and not much after.
    const idled = held.map((c, i) => closedAt[i]! - c.openedAt)
    console.log(`idle connections: closed ${Math.min(...idled)} to ${Math.max(...idled)} ms after they opened`)
    expect(Math.min(...idled)).toBeGreaterThanOrEqual(IDLE_MS - 200)
    expect(Math.max(...idled)).toBeLessThan(IDLE_MS + 10_000)
    expect(broker.log()).toMatch(/closing connection \d+ .*idle for 3000 ms, nothing read or written \(connections\.max\.idle\.ms\)/)
    // Nothing stays behind: a second round of 2,000 (closed by the clients this time) leaves the
    // heap where the first left it. (The first round's growth is the process warming up.)
    const afterFirst = await settled()
    const again = await openConnections(broker.port, 2_000)
    expect(again.filter((c) => c.served)).toHaveLength(2_000)
    for (const c of again) c.socket.destroy()
    await Promise.all(again.map((c) => c.closed))
    await sleep(200)
    const afterSecond = await settled()
    console.log(`idle connections: heap after GC ${(afterFirst.heapUsed / MIB).toFixed(1)} MiB after the first 2,000, ${(afterSecond.heapUsed / MIB).toFixed(1)} MiB after the second`)
    expect(afterSecond.heapUsed - afterFirst.heapUsed).toBeLessThan(4 * MIB)
    await steadyProgresses()
  }, 40_000)

  it('stops reading from a client that leaves its answers unread, resumes when it reads them, and closes it when it never does', async () => {
    const fetch = encodeRequestFrame(FetchApi, 12, { correlationId: 1, clientId: 'non-reader' }, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 4 * MIB,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'big', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 4 * MIB, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n }] }],
    })
    const before = await settled()
    // 300 fetches of 1 MiB each: 300 MiB of answers if the broker built them all.
    const started = Date.now()
    const stuck = await nonReader(broker.port, fetch, 300)
    const resumed = await nonReader(broker.port, fetch, 300)
    // What the broker holds for them, after collections: answers built and not yet taken.
    let peak = 0
    for (let i = 0; i < 5; i++) {
      await sleep(100)
      const m = await settled()
      peak = Math.max(peak, m.heapUsed + buffers(m))
    }
    const grown = peak - before.heapUsed - buffers(before)
    console.log(`non-readers: the broker holds at most ${(grown / MIB).toFixed(1)} MiB more with 2 x 300 MiB of answers asked for`)
    expect(grown).toBeLessThan(64 * MIB)
    // Reading resumes the other (well within its idle timeout): every answer arrives.
    const answers = countResponses(resumed.socket)
    resumed.socket.resume()
    const deadline = Date.now() + 20_000
    while (answers() < 300 && Date.now() < deadline) await sleep(20)
    expect(answers()).toBe(300)
    await steadyProgresses()
    // The one that never reads makes no progress, so it idles out. (It cannot tell: a paused
    // socket notices no close, so the broker's log says.)
    const port = stuck.socket.localPort
    await until(() => new RegExp(`closing connection \\d+ from 127\\.0\\.0\\.1:${port} .*idle for 3000 ms`).test(broker.log()), IDLE_MS + 10_000 - (Date.now() - started))
    stuck.socket.destroy()
    resumed.socket.destroy()
    await steadyProgresses()
  }, 40_000)
})

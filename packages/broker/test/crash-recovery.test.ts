import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateTopicsApi, ErrorCode, ProduceApi, encodeRecordBatch } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnBroker, type BrokerChild } from './fixtures/broker-child.js'
import { startProduceLoad, type AckedRecord } from './fixtures/produce-load.js'
import { RawConnection } from './fixtures/raw-connection.js'
import { readPartition, type PartitionContents } from './fixtures/read-partition.js'
import { tearActiveSegment } from './fixtures/torn-write.js'

const TOPIC = 'crash-recovery'
const PARTITIONS = 3
const ROUNDS = 3
/** Acknowledged records each round waits for before its kill, so every kill hits a busy broker. */
const MIN_ACKED_PER_ROUND = 3_000
/** The kill comes at a random moment this many ms after that. */
const MAX_EXTRA_MS = 800
/** The round after whose kill a torn write is added to partition 1. */
const TORN_ROUND = 2
const VALUE_PATTERN = /^round-(\d+)\/(\d+)\/(\d+)\//

/** Undone in reverse order after each test: stop processes before removing their directories. */
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

describe('crash recovery (broker in a child process)', () => {
  it('keeps every acknowledged record at its offset through repeated SIGKILLs during sustained produce, and cuts a torn write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-crash-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    let broker = await start(dataDir)
    await createTopic(broker.port)

    const acked: AckedRecord[] = []
    const kills: string[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const conn = await RawConnection.connect(broker.port)
      const load = startProduceLoad(conn, { topic: TOPIC, partitions: PARTITIONS, inFlight: 8, recordsPerBatch: 20, valueSize: 200, acks: -1, tag: `round-${round}` })
      await until(() => load.acked.length >= MIN_ACKED_PER_ROUND || conn.error !== undefined, 15_000, `round ${round}: ${MIN_ACKED_PER_ROUND} acknowledged records`)
      expect(conn.error, `round ${round}: the connection failed before the kill`).toBeUndefined()
      const extraMs = Math.floor(Math.random() * MAX_EXTRA_MS)
      await sleep(extraMs)
      broker.process.kill('SIGKILL')
      expect((await broker.exited).signal).toBe('SIGKILL')
      await load.done
      kills.push(`round ${round}: killed ${extraMs} ms after ${MIN_ACKED_PER_ROUND} acks, ${load.acked.length} acked, ${load.unanswered} in flight`)
      expect(load.unanswered, 'the kill should land while requests are in flight').toBeGreaterThan(0)
      acked.push(...load.acked)
      // Once, make it as if the kill had landed halfway through an append.
      const torn = round === TORN_ROUND ? tearActiveSegment(join(dataDir, `${TOPIC}-1`)) : undefined

      broker = await start(dataDir)
      // The restart must have gone through recovery, not the clean-shutdown path.
      expect(broker.log()).toMatch(/log recovery: .*crash-recovery-\d/)
      if (torn) {
        expect(broker.log()).toContain(`log recovery: ${torn.path}: kept`)
        expect(broker.log()).toContain(`truncated ${torn.bytes} bytes`)
      }
    }

    const conn = await RawConnection.connect(broker.port)
    cleanups.push(() => conn.close())
    const contents: PartitionContents[] = []
    for (let p = 0; p < PARTITIONS; p++) contents.push(await readPartition(conn, TOPIC, p))

    // Every acknowledged record is at its acknowledged offset with the bytes that were sent.
    const missing: string[] = []
    const stored = contents.map((c) => new Map(c.records.map((r) => [r.offset, r.value])))
    const seenOffsets = new Set<string>()
    for (const a of acked) {
      const key = `${a.partition}/${a.offset}`
      if (seenOffsets.has(key)) missing.push(`offset ${key} was acknowledged twice`)
      seenOffsets.add(key)
      const value = stored[a.partition]!.get(a.offset)
      if (!value || !value.equals(a.value)) missing.push(`${TOPIC}-${a.partition} offset ${a.offset}: ${value ? 'different bytes' : 'missing'}`)
    }
    expect(missing.slice(0, 10), kills.join('\n')).toEqual([])

    // Whatever else is stored (in flight at a kill) is a record that was sent, stored once, in the
    // partition it was sent to.
    const ids = new Set<string>()
    const strays: string[] = []
    contents.forEach((c, partition) => {
      for (const r of c.records) {
        const match = VALUE_PATTERN.exec(r.value?.subarray(0, 40).toString('latin1') ?? '')
        if (!match || Number(match[2]) !== partition) strays.push(`${TOPIC}-${partition} offset ${r.offset} holds a record not sent there`)
        else if (ids.has(match[0])) strays.push(`${match[0]} is stored twice`)
        else ids.add(match[0])
      }
    })
    expect(strays.slice(0, 10)).toEqual([])
    expect(ids.size).toBeGreaterThanOrEqual(acked.length)

    // The log continues where it ends: the next append gets the high watermark as its offset.
    const produced = await conn.request(ProduceApi, 9, {
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from('after') }] }) }] }],
    })
    const result = produced.responses[0]!.partitionResponses[0]!
    expect(result.errorCode).toBe(ErrorCode.NONE)
    expect(Number(result.baseOffset)).toBe(contents[0]!.highWatermark)

    // A clean stop writes the marker, and the start after it skips recovery.
    broker.process.kill('SIGTERM')
    expect(await broker.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(true)
    broker = await start(dataDir)
    expect(broker.log()).not.toMatch(/log recovery/)
    const reread = await RawConnection.connect(broker.port)
    cleanups.push(() => reread.close())
    expect((await readPartition(reread, TOPIC, 0)).highWatermark).toBe(contents[0]!.highWatermark + 1)
  }, 60_000)
})

async function start(dataDir: string): Promise<BrokerChild> {
  const broker = await spawnBroker(dataDir)
  cleanups.push(() => broker.process.kill('SIGKILL'))
  return broker
}

async function createTopic(port: number): Promise<void> {
  const conn = await RawConnection.connect(port)
  try {
    const response = await conn.request(CreateTopicsApi, 7, { topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }], timeoutMs: 10_000 })
    expect(response.topics[0]?.errorCode, response.topics[0]?.errorMessage ?? '').toBe(ErrorCode.NONE)
  } finally {
    conn.close()
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

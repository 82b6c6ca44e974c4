import { Admin } from '@tributary/client'
import type { TestBroker } from '@tributary/testkit'
import { sleep } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Instance, prng, verify, type InstanceConfig } from './crash-harness.js'
import { createTopics, logger, produce, readAll, startBroker, topicName, waitForCommitted } from './helpers.js'

const RECORDS = 100_000
const KEYS = 50
const PARTITIONS = 4
const KILLS = 6

/**
 * The pipeline (test/fixtures/totals-app.ts: a running total per key, one output per input record
 * naming the input partition and offset it counts) runs in a child process that is restarted as the
 * same instance after each of KILLS SIGKILLs. Each instance first commits; then a new part of the input
 * is produced, and the instance is killed while working through it: under exactly-once as soon as the
 * output holds records of an open transaction (plus a random 0–30 ms), under at-least-once a random
 * 0–300 ms into the part. Afterwards the output, read with read_committed, is compared record by
 * record with the input; the output records of aborted transactions are counted too.
 */
async function crashRun(t: TestBroker, guarantee: InstanceConfig['guarantee'], commitIntervalMs: number, seed: number) {
  const bootstrapServers = t.broker.bootstrapServers
  const input = topicName(`crash-in-${guarantee}`)
  const output = topicName(`crash-out-${guarantee}`)
  await createTopics(bootstrapServers, { [input]: PARTITIONS, [output]: PARTITIONS })
  const random = prng(seed)
  const records = Array.from({ length: RECORDS }, () => ({ topic: input, key: `k${Math.floor(random() * KEYS)}`, value: JSON.stringify({ amount: 1 + Math.floor(random() * 100) }) }))
  const config: InstanceConfig = { bootstrapServers, application: topicName(`crash-${guarantee}`), instanceId: 'instance-1', input, output, guarantee, commitIntervalMs, sessionTimeoutMs: 6_000 }
  const parts = KILLS + 1
  const part = (i: number) => records.slice(Math.floor((i * RECORDS) / parts), Math.floor(((i + 1) * RECORDS) / parts))
  const admin = new Admin({ bootstrapServers, logger })

  const started = Date.now()
  try {
    await produce(bootstrapServers, part(0))
    const kills: { openRecords: number; afterMs: number }[] = []
    for (let i = 1; i <= KILLS; i++) {
      const instance = new Instance(config)
      await instance.waitFor((e) => e.event === 'committed')
      const producing = produce(bootstrapServers, part(i))
      const openRecords = guarantee === 'exactly-once' ? await waitForOpenTransaction(admin, output) : 0
      const delay = Math.floor(random() * (guarantee === 'exactly-once' ? 30 : 300))
      await sleep(delay)
      await instance.kill('SIGKILL')
      await producing
      kills.push({ openRecords, afterMs: delay })
    }
    const last = new Instance(config)
    await waitForCommitted(bootstrapServers, config.application, input, 60_000)
    await last.kill('SIGTERM')
    const elapsedMs = Date.now() - started
    const inputs = await readAll(bootstrapServers, input)
    const outputs = await readAll(bootstrapServers, output)
    const inLog = (await readAll(bootstrapServers, output, 'read_uncommitted')).length
    return { inputs, outputs, kills, elapsedMs, aborted: inLog - outputs.length, verdict: verify(inputs, outputs) }
  } finally {
    await admin.close()
  }
}

/** Waits until some output partition holds records of an open transaction; returns how many there are. */
async function waitForOpenTransaction(admin: Admin, topic: string): Promise<number> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const [all, stable] = await Promise.all([admin.listOffsets([{ topic }]), admin.listOffsets([{ topic }], { isolationLevel: 'read_committed' })])
    const open = all.reduce((n, o) => n + Number(o.offset - (stable.find((s) => s.partition === o.partition)?.offset ?? o.offset)), 0)
    if (open > 0) return open
    await sleep(2)
  }
  throw new Error(`no open transaction on ${topic} within 20 s`)
}

describe('crashes: a pipeline SIGKILLed at random moments and restarted', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startBroker()
  })
  afterAll(async () => {
    await t.broker.close()
  })

  it(`exactly-once: each of ${RECORDS.toLocaleString('en')} inputs is counted exactly once across ${KILLS} kills`, async () => {
    const { inputs, kills, elapsedMs, aborted, verdict } = await crashRun(t, 'exactly-once', 100, 0x5eed)
    console.log(
      `exactly-once: ${inputs.length} inputs, ${kills.length} kills (with ${kills.map((k) => k.openRecords).join(', ')} output records in the open transaction seen just before), ${(elapsedMs / 1000).toFixed(1)} s; ${aborted} output records of aborted transactions in the log;`,
      verdict,
    )
    expect(inputs).toHaveLength(RECORDS)
    expect(kills).toHaveLength(KILLS)
    expect(aborted).toBeGreaterThan(0)
    expect(verdict).toEqual({ keys: KEYS, outputs: RECORDS, duplicates: 0, missing: 0, badSequences: [], overCount: 0, underCounted: [] })
  }, 150_000)

  it('at-least-once: the same run may count inputs twice (reported), never too few', async () => {
    const { inputs, kills, elapsedMs, verdict } = await crashRun(t, 'at-least-once', 1_000, 0xa1a1)
    console.log(
      `at-least-once: ${inputs.length} inputs, ${kills.length} kills, ${(elapsedMs / 1000).toFixed(1)} s: ${verdict.duplicates} duplicate outputs, over-count ${verdict.overCount}, ${verdict.badSequences.length} of ${verdict.keys} keys with a wrong output sequence`,
    )
    expect(inputs).toHaveLength(RECORDS)
    expect(verdict.missing).toBe(0)
    expect(verdict.underCounted).toEqual([])
    expect(verdict.overCount).toBeGreaterThanOrEqual(0)
  }, 150_000)
})

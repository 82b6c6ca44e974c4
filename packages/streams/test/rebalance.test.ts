import type { TestBroker } from '@tributary/testkit'
import { sleep, waitFor } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Instance, prng, verify, type InstanceConfig } from './crash-harness.js'
import { createTopics, produce, readAll, startBroker, topicName, waitForCommitted } from './helpers.js'

const RECORDS = 40_000
const KEYS = 40
const PARTITIONS = 4

describe('rebalance: two instances share the input, one is killed', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startBroker()
  })
  afterAll(async () => {
    await t.broker.close()
  })

  it('the survivor takes over the dead instance’s partitions with their state, and totals stay exact', async () => {
    const bootstrapServers = t.broker.bootstrapServers
    const input = topicName('rebalance-in')
    const output = topicName('rebalance-out')
    await createTopics(bootstrapServers, { [input]: PARTITIONS, [output]: PARTITIONS })
    const random = prng(0xbeef)
    const records = Array.from({ length: RECORDS }, () => ({ topic: input, key: `k${Math.floor(random() * KEYS)}`, value: JSON.stringify({ amount: 1 + Math.floor(random() * 100) }) }))
    const base = { bootstrapServers, application: topicName('rebalance'), input, output, guarantee: 'exactly-once', commitIntervalMs: 100, sessionTimeoutMs: 2_000 } as const
    await produce(bootstrapServers, records.slice(0, RECORDS / 2))

    const a = new Instance({ ...base, instanceId: 'a' } satisfies InstanceConfig)
    const b = new Instance({ ...base, instanceId: 'b' } satisfies InstanceConfig)
    // The partitions an instance owns now, from its assigned/revoked events in order.
    const owned = (i: Instance) => {
      const mine = new Set<number>()
      for (const e of i.events) {
        if (e.event === 'assigned') for (const p of e.partitions as number[]) mine.add(p)
        if (e.event === 'revoked') for (const p of e.partitions as number[]) mine.delete(p)
      }
      return [...mine].sort()
    }
    await waitFor(() => owned(a).length > 0 && owned(b).length > 0 && owned(a).length + owned(b).length === PARTITIONS, { timeoutMs: 30_000, message: 'both instances to own partitions' })
    await a.waitFor((e) => e.event === 'committed')
    const aPartitions = owned(a)

    const producing = produce(bootstrapServers, records.slice(RECORDS / 2))
    await sleep(100 + Math.floor(random() * 300))
    await a.kill('SIGKILL')
    const killedAt = b.events.length
    await producing

    // After a's session times out, b is assigned a's partitions and restores their state from the changelogs.
    const isTakeover = (e: Record<string, unknown>) => b.events.indexOf(e) >= killedAt && e.event === 'assigned' && aPartitions.every((p) => (e.partitions as number[]).includes(p))
    await b.waitFor(isTakeover, 30_000)
    const takeover = b.events.find(isTakeover)!
    await waitForCommitted(bootstrapServers, base.application, input, 60_000)
    await b.kill('SIGTERM')
    const verdict = verify(await readAll(bootstrapServers, input), await readAll(bootstrapServers, output))
    console.log(`rebalance: a owned ${aPartitions.join(',')}; b took them over restoring ${takeover.restored} changelog records in ${takeover.ms} ms:`, verdict)
    expect(takeover.restored).toBeGreaterThan(0)
    expect(verdict).toEqual({ keys: KEYS, outputs: RECORDS, duplicates: 0, missing: 0, badSequences: [], overCount: 0, underCounted: [] })
  }, 120_000)
})

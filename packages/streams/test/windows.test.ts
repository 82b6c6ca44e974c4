import type { TestBroker } from '@tributary/testkit'
import { map, merge } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineTopic, exactlyOnce, hopping, session, tumbling, windowedCount, type WindowedRecord } from '../src/index.js'
import { prng } from './crash-harness.js'
import { FAST_CONSUMER, createTopics, logger, produce, readAll, startBroker, topicName, waitForCommitted } from './helpers.js'

const TUMBLING = { sizeMs: 1_000, graceMs: 500 }
const HOPPING = { sizeMs: 1_000, advanceMs: 250, graceMs: 500 }
const SESSION = { gapMs: 120, graceMs: 500 }
const BASE = 1_700_000_000_000

interface In {
  partition: number
  offset: number
  key: string
  ts: number
}

/**
 * The windows computed straight from the input, partition by partition in offset order: stream time is
 * the highest timestamp seen so far; a time window [s, s + size) takes a record while
 * s + size + grace > stream time; a record joins sessions while ts + gap + grace ≥ stream time, and the
 * final sessions are the accepted timestamps of a key clustered by the gap.
 */
function reference(inputs: In[]) {
  const tumbling = new Map<string, number>()
  const hopping = new Map<string, number>()
  const accepted = new Map<string, number[]>()
  const late = { tumbling: 0, hopping: 0, session: 0 }
  let acceptedLate = 0
  const byPartition = new Map<number, In[]>()
  for (const r of inputs) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r])
  for (const records of byPartition.values()) {
    records.sort((a, b) => a.offset - b.offset)
    let streamTime = -Infinity
    for (const r of records) {
      streamTime = Math.max(streamTime, r.ts)
      const t0 = Math.floor(r.ts / TUMBLING.sizeMs) * TUMBLING.sizeMs
      if (t0 + TUMBLING.sizeMs + TUMBLING.graceMs > streamTime) {
        const id = `${r.key}|${t0}|${t0 + TUMBLING.sizeMs}`
        tumbling.set(id, (tumbling.get(id) ?? 0) + 1)
        if (r.ts < streamTime && t0 + TUMBLING.sizeMs <= streamTime) acceptedLate++
      } else late.tumbling++
      let dropped = false
      for (let s = Math.floor(r.ts / HOPPING.advanceMs) * HOPPING.advanceMs; s > r.ts - HOPPING.sizeMs; s -= HOPPING.advanceMs) {
        if (s + HOPPING.sizeMs + HOPPING.graceMs > streamTime) {
          const id = `${r.key}|${s}|${s + HOPPING.sizeMs}`
          hopping.set(id, (hopping.get(id) ?? 0) + 1)
        } else dropped = true
      }
      if (dropped) late.hopping++
      if (r.ts + SESSION.gapMs + SESSION.graceMs >= streamTime) accepted.set(r.key, [...(accepted.get(r.key) ?? []), r.ts])
      else late.session++
    }
  }
  const sessions = new Map<string, number>()
  for (const [key, stamps] of accepted) {
    stamps.sort((a, b) => a - b)
    let start = stamps[0]!
    let n = 0
    for (let i = 0; i < stamps.length; i++) {
      n++
      const next = stamps[i + 1]
      if (next === undefined || next - stamps[i]! > SESSION.gapMs) {
        sessions.set(`${key}|${start}|${stamps[i]}`, n)
        if (next !== undefined) start = next
        n = 0
      }
    }
  }
  return { tumbling, hopping, sessions, late, acceptedLate }
}

describe('windowed counts in a runner', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startBroker()
  })
  afterAll(async () => {
    await t.broker.close()
  })

  it('tumbling, hopping and session counts match a reference computed from the input, late records included', async () => {
    const bootstrapServers = t.broker.bootstrapServers
    const input = topicName('clicks')
    const output = topicName('click-windows')
    const application = topicName('windows')
    await createTopics(bootstrapServers, { [input]: 2, [output]: 2 })
    const random = prng(0x71e)
    const records = Array.from({ length: 4_000 }, (_, i) => {
      let ts = BASE + i * 15 + Math.floor(random() * 40)
      if (i % 37 === 0) ts -= 300 + Math.floor(random() * 500) // late, mostly within the grace period
      if (i % 101 === 0) ts -= 3_000 // far beyond it
      return { topic: input, key: `page-${Math.floor(random() * 6)}`, value: JSON.stringify({ user: `u${i % 17}` }), timestamp: ts }
    })
    await produce(bootstrapServers, records)

    const clicks = defineTopic(input, { value: z.object({ user: z.string() }) })
    const windows = defineTopic(output, { value: z.object({ kind: z.string(), key: z.string(), start: z.number(), end: z.number(), count: z.number().nullable() }) })
    const row = (kind: string) => (w: WindowedRecord<string | null, number | null>) => ({
      key: `${kind}|${w.key}|${w.window.start}|${w.window.end}`,
      value: { kind, key: w.key!, start: w.window.start, end: w.window.end, count: w.value },
    })
    const app = exactlyOnce({
      application,
      bootstrapServers,
      logger,
      input: clicks,
      output: windows,
      consumer: FAST_CONSUMER,
      process: (clicks$) =>
        merge(
          clicks$.pipe(windowedCount(tumbling(TUMBLING), { store: 'tumbling' }), map(row('tumbling'))),
          clicks$.pipe(windowedCount(hopping(HOPPING), { store: 'hopping' }), map(row('hopping'))),
          clicks$.pipe(windowedCount(session(SESSION), { store: 'session' }), map(row('session'))),
        ),
    })
    await app.start()
    await waitForCommitted(bootstrapServers, application, input, 30_000)
    await app.close()

    const inputs = (await readAll(bootstrapServers, input)).map((r) => ({ partition: r.partition, offset: Number(r.offset), key: r.key!.toString(), ts: r.timestamp }))
    const expected = reference(inputs)
    const actual = { tumbling: new Map<string, number>(), hopping: new Map<string, number>(), session: new Map<string, number>() }
    for (const r of await readAll(bootstrapServers, output)) {
      const v = JSON.parse(r.value!.toString()) as { kind: keyof typeof actual; key: string; start: number; end: number; count: number | null }
      const id = `${v.key}|${v.start}|${v.end}`
      if (v.count === null) actual[v.kind].delete(id)
      else actual[v.kind].set(id, v.count)
    }
    console.log(
      `windows: ${inputs.length} records; ${expected.acceptedLate} late records inside the grace period updated closed-by-time windows; dropped as late: tumbling ${expected.late.tumbling}, hopping ${expected.late.hopping}, session ${expected.late.session}; windows: ${actual.tumbling.size} tumbling, ${actual.hopping.size} hopping, ${actual.session.size} sessions`,
    )
    expect(expected.acceptedLate).toBeGreaterThan(0)
    expect(expected.late.tumbling).toBeGreaterThan(0)
    expect(actual.tumbling).toEqual(expected.tumbling)
    expect(actual.hopping).toEqual(expected.hopping)
    expect(actual.session).toEqual(expected.sessions)
    expect(app.metrics().lateRecords).toBe(expected.late.tumbling + expected.late.hopping + expected.late.session)
  }, 60_000)
})

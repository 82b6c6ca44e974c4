import type { InterceptAction, InterceptedRequest } from '@tributary/broker'
import { ErrorCode } from '@tributary/protocol'
import { randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer } from '../src/index.js'
import { IDEMPOTENCE_APIS, capturingLogger, createTopics, missingApis, readPartition, skipReason } from './helpers.js'

const PARTITIONS = 3
const KEYS = 9
const RECORDS = 240

/** A fault for the first `times` Produce requests for the test's topic. */
interface Fault {
  name: string
  action: InterceptAction
  times: number
  /** Whether a faulty request may still have been appended (so a non-idempotent retry duplicates it). */
  appends: boolean
}

const FAULTS: Fault[] = [
  { name: 'NOT_LEADER_OR_FOLLOWER answers', action: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, times: 3, appends: false },
  { name: 'dropped connections before handling', action: { disconnect: true }, times: 2, appends: false },
  { name: 'requests delayed past the request timeout', action: { delayMs: 900 }, times: 1, appends: true },
  { name: "lost responses (afterHandle: 'drop')", action: { afterHandle: 'drop' }, times: 2, appends: true },
  { name: "connections dropped after appending (afterHandle: 'disconnect')", action: { afterHandle: 'disconnect' }, times: 2, appends: true },
]

describe('Producer: injected failures', () => {
  let t: TestBroker
  let idempotenceMissing: string | undefined
  beforeAll(async () => {
    t = await startTestBroker()
    idempotenceMissing = skipReason(await missingApis(t.broker, IDEMPOTENCE_APIS), 'idempotent retries without duplicates')
  })
  afterAll(() => t.broker.close())

  /** Injects `fault` into the first Produce requests for `topic`; returns the metadata requests seen after the first fault, and a remover. */
  function inject(topic: string, fault: Fault) {
    let left = fault.times
    let faulted = false
    let metadataAfterFault = 0
    const remove = t.broker.intercept((r: InterceptedRequest) => {
      if (r.apiName === 'Metadata' && faulted) metadataAfterFault++
      if (r.apiName !== 'Produce' || left <= 0) return
      const topics = (r.request as { topicData: { name: string }[] }).topicData.map((d) => d.name)
      if (!topics.includes(topic)) return
      left--
      faulted = true
      return fault.action
    })
    return { remove, metadataAfterFault: () => metadataAfterFault, faultsLeft: () => left }
  }

  /** Sends `count` keyed records (value `key:n`) without waiting between them; resolves once all are acknowledged. */
  async function sendAll(producer: Producer, topic: string, count = RECORDS): Promise<void> {
    const sends: Promise<unknown>[] = []
    for (let n = 0; n < count; n++) {
      const key = `k${n % KEYS}`
      sends.push(producer.send({ topic, key, value: `${key}:${Math.floor(n / KEYS)}` }))
      if (n % 40 === 39) await new Promise((r) => setTimeout(r, 5))
    }
    await Promise.all(sends)
  }

  /** Every partition's values, in log order. */
  async function readAll(topic: string): Promise<string[][]> {
    return Promise.all(Array.from({ length: PARTITIONS }, async (_, p) => (await readPartition(t, topic, p)).map((r) => r.value!)))
  }

  /** Asserts nothing is lost and each key's values appear in order of their first occurrence. */
  function expectComplete(partitions: string[][], count = RECORDS): void {
    const all = partitions.flat()
    for (let n = 0; n < count; n++) {
      const key = `k${n % KEYS}`
      expect(all, `record ${key}:${Math.floor(n / KEYS)}`).toContain(`${key}:${Math.floor(n / KEYS)}`)
    }
    for (const values of partitions) {
      const seen = new Set<string>()
      const last = new Map<string, number>()
      for (const v of values) {
        if (seen.has(v)) continue
        seen.add(v)
        const [key, n] = v.split(':') as [string, string]
        expect(Number(n), `order of ${key}`).toBe((last.get(key) ?? -1) + 1)
        last.set(key, Number(n))
      }
    }
  }

  describe.each(FAULTS)('$name', (fault) => {
    it('loses nothing and keeps each partition in order (maxInFlightRequestsPerConnection 1, without idempotence)', async () => {
      const topic = randomTopic('faults')
      await createTopics(t.broker, { [topic]: PARTITIONS })
      const producer = new Producer({
        bootstrapServers: t.broker.bootstrapServers,
        logger: capturingLogger(),
        enableIdempotence: false,
        maxInFlightRequestsPerConnection: 1,
        lingerMs: 2,
        batchSize: 512,
        requestTimeoutMs: 400,
        retryBackoffMs: 20,
      })
      const injected = inject(topic, fault)
      try {
        await sendAll(producer, topic)
      } finally {
        injected.remove()
        await producer.close()
      }
      expect(injected.faultsLeft()).toBe(0)
      if (fault.action.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) expect(injected.metadataAfterFault()).toBeGreaterThan(0)
      // A delayed request is appended when the broker gets to it; wait for that before reading.
      if (fault.action.delayMs) await new Promise((r) => setTimeout(r, fault.action.delayMs))
      const partitions = await readAll(topic)
      expectComplete(partitions)
      if (!fault.appends) expect(partitions.flat()).toHaveLength(RECORDS)
    })

    it('writes every record exactly once, in order, with five requests in flight (idempotence)', async (ctx) => {
      ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
      const topic = randomTopic('faults-idempotent')
      await createTopics(t.broker, { [topic]: PARTITIONS })
      const producer = new Producer({
        bootstrapServers: t.broker.bootstrapServers,
        logger: capturingLogger(),
        enableIdempotence: true,
        lingerMs: 2,
        batchSize: 512,
        requestTimeoutMs: 400,
        retryBackoffMs: 20,
      })
      const injected = inject(topic, fault)
      try {
        await sendAll(producer, topic)
      } finally {
        injected.remove()
        await producer.close()
      }
      expect(injected.faultsLeft()).toBe(0)
      if (fault.action.delayMs) await new Promise((r) => setTimeout(r, fault.action.delayMs))
      const partitions = await readAll(topic)
      expectComplete(partitions)
      expect(partitions.flat()).toHaveLength(RECORDS)
    })
  })

  it('survives a seeded mix of every fault above (and unanswered requests): each record once, in order (idempotence)', async (ctx) => {
    ctx.skip(idempotenceMissing !== undefined, idempotenceMissing)
    const topic = randomTopic('faults-mixed')
    await createTopics(t.broker, { [topic]: PARTITIONS })
    let seed = 20_261_122
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff
    const actions: InterceptAction[] = [...FAULTS.map((f) => f.action), { drop: true }, { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }]
    let faults = 0
    const remove = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce' || faults >= 40 || !(r.request as { topicData: { name: string }[] }).topicData.some((d) => d.name === topic)) return
      if (random() >= 0.35) return
      faults++
      return actions[Math.floor(random() * actions.length)]
    })
    const producer = new Producer({ bootstrapServers: t.broker.bootstrapServers, logger: capturingLogger(), enableIdempotence: true, lingerMs: 1, batchSize: 160, requestTimeoutMs: 250, retryBackoffMs: 10 })
    try {
      await sendAll(producer, topic, 3 * RECORDS)
    } finally {
      remove()
      await producer.close()
    }
    expect(faults).toBeGreaterThanOrEqual(8)
    await new Promise((r) => setTimeout(r, 400))
    const partitions = await readAll(topic)
    expectComplete(partitions, 3 * RECORDS)
    expect(partitions.flat()).toHaveLength(3 * RECORDS)
  })
})

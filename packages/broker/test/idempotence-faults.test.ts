import { ProduceApi, type ProduceRequest } from '@tributary/protocol'
import { RawClient, createTopic, randomTopic, startTestBroker, textBatch, type TestBroker } from '@tributary/testkit'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InterceptAction } from '../src/index.js'
import { requireConfluentKafka, runPython } from './fixtures/python.js'
import { initProducerId, readPartition } from './txn-helpers.js'

describe('idempotent producers under lost responses and broken connections', () => {
  let t: TestBroker
  let raw: RawClient
  beforeAll(async () => {
    t = await startTestBroker()
    raw = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await raw.close()
    await t.broker.close()
  })

  /** Injects `plan[i]` into the i-th Produce request to `topic` (nothing once the plan runs out). */
  function injectIntoProduce(topic: string, plan: readonly (InterceptAction | undefined)[]): { produceRequests: () => number; remove: () => void } {
    let seen = 0
    const remove = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce' || (r.request as ProduceRequest).topicData[0]?.name !== topic) return undefined
      return plan[seen++]
    })
    return { produceRequests: () => seen, remove }
  }

  it('kafkajs with idempotence leaves exactly one copy of each record, in order, when responses are lost', async () => {
    const topic = randomTopic('idem-faults')
    await createTopic(raw, topic)
    const drop: InterceptAction = { afterHandle: 'drop' }
    const cut: InterceptAction = { afterHandle: 'disconnect' }
    const refuse: InterceptAction = { disconnect: true }
    // Appended but unanswered (drop, cut), or never appended (refuse), spread over the sends.
    const faults = injectIntoProduce(topic, [undefined, drop, undefined, cut, drop, undefined, refuse, undefined, cut, undefined, drop])
    const kafka = new Kafka({
      clientId: 'idem-faults',
      brokers: [t.broker.bootstrapServers],
      requestTimeout: 400,
      logLevel: process.env.TRIBUTARY_TEST_LOG === '1' ? logLevel.WARN : logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 20, maxRetryTime: 200 },
    })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const sent: string[] = []
    try {
      for (let i = 0; i < 12; i++) {
        const values = [`m${i}-a`, `m${i}-b`]
        await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) })
        sent.push(...values)
      }
    } finally {
      await producer.disconnect()
      faults.remove()
    }
    expect(faults.produceRequests()).toBeGreaterThan(12)
    const read = await readPartition(raw, topic, 0, 0)
    expect(read.values.map((v) => v.value)).toEqual(sent)
    expect(read.values.map((v) => v.offset)).toEqual(sent.map((_, i) => i))
  })

  it('confluent-kafka-python (librdkafka) with idempotence leaves one copy of each record, in order, across cut connections', async (ctx) => {
    await requireConfluentKafka(ctx)
    const topic = randomTopic('idem-py')
    await createTopic(raw, topic)
    const cut: InterceptAction = { afterHandle: 'disconnect' }
    const faults = injectIntoProduce(topic, [undefined, cut, undefined, undefined, cut, undefined, cut])
    let result: { delivered: number; failed: string[]; undelivered: number }
    try {
      result = await runPython('idempotent_produce.py', [t.broker.bootstrapServers, topic, '300'])
    } finally {
      faults.remove()
    }
    expect(result).toEqual({ delivered: 300, failed: [], undelivered: 0 })
    expect(faults.produceRequests()).toBeGreaterThan(7)
    const read = await readPartition(raw, topic, 0, 0)
    expect(read.values.map((v) => v.value)).toEqual(Array.from({ length: 300 }, (_, i) => `m-${i}`))
  })

  it('answers a raw retry after a dropped response with the original offsets', async () => {
    const topic = randomTopic('idem-drop')
    await createTopic(raw, topic)
    const { producerId } = await initProducerId(raw)
    const faults = injectIntoProduce(topic, [undefined, { afterHandle: 'drop' }])
    const body = (seq: number, value: string) => ({
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ value }], { producerId, producerEpoch: 0, baseSequence: seq }) }] }],
    })
    try {
      expect((await raw.request(ProduceApi, 9, body(0, 'first'))).responses[0]!.partitionResponses[0]!.baseOffset).toBe(0n)
      await expect(raw.request(ProduceApi, 9, body(1, 'second'), { timeoutMs: 300 })).rejects.toThrow(/No response/)
      const retried = await raw.request(ProduceApi, 9, body(1, 'second'))
      expect(retried.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 1n })
    } finally {
      faults.remove()
    }
    expect((await readPartition(raw, topic, 0, 0)).values.map((v) => v.value)).toEqual(['first', 'second'])
  })
})

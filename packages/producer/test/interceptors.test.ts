import { ErrorCode, type KafkaError } from '@tributary/protocol'
import { randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, type ProducerInterceptor, type RecordMetadata } from '../src/index.js'
import { capturingLogger, createTopics, readPartition } from './helpers.js'

/** A metered service: every message sent is charged, and the charge confirmed only once Kafka has it. */
class Billing {
  charged = 0
  confirmed: RecordMetadata[] = []
  refunded: KafkaError[] = []

  interceptor(): ProducerInterceptor<string, string> {
    return {
      onSend: (record) => {
        this.charged++
        return { ...record, headers: { ...(record.headers as Record<string, string>), billed: `charge-${this.charged}` } }
      },
      onAcknowledgement: (metadata, error) => {
        if (error) this.refunded.push(error)
        else this.confirmed.push(metadata!)
      },
    }
  }
}

describe('Producer: interceptors', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startTestBroker()
  })
  afterAll(() => t.broker.close())

  it('charges on send and confirms on acknowledgement: charges == confirmed acks, failed sends never confirmed', async () => {
    const good = randomTopic('billing')
    const refused = randomTopic('billing-refused')
    await createTopics(t.broker, { [good]: 3, [refused]: 1 })
    // The broker refuses every batch for one topic (a non-retriable error: the records are not written).
    const stop = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce') return
      const topics = (r.request as { topicData: { name: string }[] }).topicData.map((d) => d.name)
      return topics.includes(refused) ? { errorCode: ErrorCode.INVALID_RECORD } : undefined
    })
    const billing = new Billing()
    const producer = new Producer<string, string>({
      bootstrapServers: t.broker.bootstrapServers,
      logger: capturingLogger(),
      maxRequestSize: 4096,
      interceptors: [billing.interceptor()],
      valueSerializer: {
        serialize: (value) => {
          if (value === 'unserializable') throw new Error('no')
          return Buffer.from(value)
        },
      },
    })
    try {
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => producer.send({ topic: good, key: `customer-${i % 4}`, value: `order-${i}` })),
        producer.send({ topic: good, value: 'x'.repeat(10_000) }), // larger than maxRequestSize
        producer.send({ topic: good, value: 'unserializable' }),
      ])
      outcomes.push(...(await Promise.allSettled([producer.send({ topic: refused, value: 'refused-1' }), producer.send({ topic: refused, value: 'refused-2' })])))
      const succeeded = outcomes.filter((o) => o.status === 'fulfilled')
      const failed = outcomes.filter((o) => o.status === 'rejected')
      expect(succeeded).toHaveLength(20)
      expect(failed).toHaveLength(4)

      expect(billing.charged).toBe(24)
      expect(billing.confirmed).toHaveLength(20)
      expect(billing.refunded).toHaveLength(4)
      expect(billing.charged).toBe(billing.confirmed.length + billing.refunded.length)
      expect(billing.refunded.map((e) => e.code).sort()).toEqual(['INVALID_RECORD', 'INVALID_RECORD', 'MESSAGE_TOO_LARGE', 'SERDE_ERROR'])
      // Every confirmed charge is a record Kafka has, and nothing of the refused topic was written.
      const stored = (await Promise.all([0, 1, 2].map(async (p) => (await readPartition(t, good, p)).map((r) => ({ ...r, partition: p }))))).flat()
      expect(stored).toHaveLength(20)
      expect(stored.every((r) => r.headers.billed?.startsWith('charge-'))).toBe(true)
      expect(new Set(billing.confirmed.map((m) => `${m.partition}:${m.offset}`))).toEqual(new Set(stored.map((r) => `${r.partition}:${r.offset}`)))
      expect(await readPartition(t, refused)).toEqual([])
    } finally {
      stop()
      await producer.close()
    }
  })

  it('logs and skips an interceptor that throws (or returns nothing); sending and the other interceptors carry on', async () => {
    const topic = randomTopic('throwing')
    const logger = capturingLogger()
    const acknowledged: (RecordMetadata | undefined)[] = []
    const calls: string[] = []
    const throwing: ProducerInterceptor = {
      configure: () => {
        throw new Error('bad config')
      },
      onSend: () => {
        throw new Error('boom on send')
      },
      onAcknowledgement: () => {
        throw new Error('boom on ack')
      },
      close: () => {
        throw new Error('boom on close')
      },
    }
    const forgetful: ProducerInterceptor = { onSend: (() => undefined) as unknown as ProducerInterceptor['onSend'] }
    const stamping: ProducerInterceptor = {
      configure: (config) => void calls.push(`configure ${config.clientId}`),
      onSend: (record) => ({ ...record, headers: { stamped: 'yes' } }),
      close: () => void calls.push('close'),
    }
    const recording: ProducerInterceptor = { onAcknowledgement: (metadata) => void acknowledged.push(metadata) }
    const producer = new Producer({ bootstrapServers: t.broker.bootstrapServers, clientId: 'intercepted', logger, interceptors: [throwing, forgetful, stamping, recording] })
    const metas = await producer.sendBatch([{ topic, value: 'a' }, { topic, value: 'b' }])
    await producer.close()
    expect(metas.map((m) => m.offset)).toEqual([0n, 1n])
    expect(acknowledged.map((m) => m?.offset)).toEqual([0n, 1n])
    expect((await readPartition(t, topic)).map((r) => [r.value, r.headers.stamped])).toEqual([
      ['a', 'yes'],
      ['b', 'yes'],
    ])
    expect(calls).toEqual(['configure intercepted', 'close'])
    for (const hook of ['configure', 'onSend', 'onAcknowledgement', 'close']) expect(logger.matching(`#0 threw in ${hook}`).length).toBeGreaterThan(0)
    expect(logger.matching('#1 threw in onSend')).toHaveLength(2)
  })
})

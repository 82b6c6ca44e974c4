import { randomTopic, requireKcat, runKcat, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer } from '../src/index.js'
import { capturingLogger, createTopics, readPartition } from './helpers.js'
import { FAST_GROUPS, consumeWithKafkajs } from './kafkajs-consumer.js'

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

describe('Producer: what third-party consumers read', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startTestBroker({ configs: FAST_GROUPS })
  })
  afterAll(() => t.broker.close())

  async function produce(topic: string, compression: (typeof CODECS)[number], count: number): Promise<void> {
    const producer = new Producer({ bootstrapServers: t.broker.bootstrapServers, logger: capturingLogger(), compression, lingerMs: 20 })
    try {
      await producer.sendBatch(
        Array.from({ length: count }, (_, i) => ({
          topic,
          partition: 0,
          key: `key-${i}`,
          value: `value ${i} compressed with ${compression} ${'x'.repeat(i * 10)}`,
          headers: { codec: compression, index: String(i) },
        })),
      )
    } finally {
      await producer.close()
    }
  }

  it.for(CODECS)('kcat (librdkafka) reads keys, values and headers written with compression %s', async (compression, ctx) => {
    requireKcat(ctx)
    const topic = randomTopic(`kcat-${compression}`)
    await createTopics(t.broker, { [topic]: 1 })
    await produce(topic, compression, 25)
    expect((await readPartition(t, topic)).every((r) => r.compression === compression)).toBe(true)
    const { stdout } = await runKcat(['-C', '-b', t.broker.bootstrapServers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o|%k|%s|%h\n'])
    const lines = stdout.toString('utf8').trim().split('\n')
    expect(lines).toHaveLength(25)
    lines.forEach((line, i) => {
      expect(line).toBe(`${i}|key-${i}|value ${i} compressed with ${compression} ${'x'.repeat(i * 10)}|codec=${compression},index=${i}`)
    })
  })

  it.each(['none', 'gzip'] as const)('a kafkajs consumer group reads keys, values and headers written with compression %s', async (compression) => {
    const topic = randomTopic(`kafkajs-${compression}`)
    await createTopics(t.broker, { [topic]: 1 })
    await produce(topic, compression, 10)
    const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => ms.length >= 10, { readUncommitted: true })
    expect(messages.map((m) => [m.offset, m.key, m.value, m.headers])).toEqual(
      Array.from({ length: 10 }, (_, i) => [String(i), `key-${i}`, `value ${i} compressed with ${compression} ${'x'.repeat(i * 10)}`, { codec: compression, index: String(i) }]),
    )
  })
})

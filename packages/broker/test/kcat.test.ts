import { COMPRESSION_CODEC_IDS, FindCoordinatorApi, compressionIdOf, readRecordBatchHeader, type CompressionCodec } from '@tributary/protocol'
import { RawClient, createTopic, produce, randomTopic, readRecords, requireKcat, runKcat, startTestBroker, textBatch, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandlerRegistry } from '../src/handlers/index.js'

const COUNT = 10_000

/**
 * librdkafka enables lz4 only for brokers that serve FindCoordinator (its marker for Kafka 0.8.2+),
 * and otherwise sends lz4-configured batches uncompressed. Until this broker serves the group APIs,
 * kcat's lz4 batches arrive uncompressed, and lz4 is exercised by having kcat read lz4 batches
 * written with our own encoder.
 */
const LZ4_GATED = new HandlerRegistry().get(FindCoordinatorApi.apiKey) === undefined

/** Whole stored batches of a partition, read straight from the log. */
function storedBatches(t: TestBroker, topic: string): { compression: number; bytes: Buffer }[] {
  const log = t.broker.logs.log(topic, 0)
  const out: { compression: number; bytes: Buffer }[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 64 << 20)
    let at = 0
    while (at < records.length) {
      const h = readRecordBatchHeader(records, at)
      const size = h.batchLength + 12
      out.push({ compression: compressionIdOf(h.attributes), bytes: records.subarray(at, at + size) })
      offset = Number(h.baseOffset) + h.lastOffsetDelta + 1
      at += size
    }
  }
  return out
}

describe('kcat (librdkafka) against the broker', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startTestBroker()
  })
  afterAll(() => t.broker.close())

  it('lists metadata with -L', async (ctx) => {
    requireKcat(ctx)
    const topic = randomTopic('meta')
    const admin = await RawClient.connect(t.broker.port)
    await createTopic(admin, topic, 3)
    await admin.close()
    const { stdout } = await runKcat(['-L', '-J', '-b', t.broker.bootstrapServers, '-t', topic])
    const meta = JSON.parse(stdout.toString()) as {
      controllerid: number
      brokers: { id: number; name: string }[]
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[]
    }
    expect(meta.controllerid).toBe(0)
    expect(meta.brokers).toEqual([{ id: 0, name: t.broker.bootstrapServers }])
    expect(meta.topics).toHaveLength(1)
    expect(meta.topics[0]!.topic).toBe(topic)
    expect(meta.topics[0]!.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, leader: 0, replicas: [{ id: 0 }], isrs: [{ id: 0 }] })))
    const all = await runKcat(['-L', '-b', t.broker.bootstrapServers])
    expect(all.stdout.toString()).toMatch(new RegExp(`topic "${topic}" with 3 partitions`))
  })

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const satisfies readonly CompressionCodec[]) {
    it(`produces ${COUNT} keyed messages with headers under -z ${codec} and consumes them back identical and in order`, async (ctx) => {
      requireKcat(ctx)
      const topic = randomTopic(codec)
      const bootstrap = t.broker.bootstrapServers
      const lines = Array.from({ length: COUNT }, (_, i) => `key-${i % 97}|value ${i} ${codec} ${'pad'.repeat(i % 7)}`)
      await runKcat(['-P', '-b', bootstrap, '-t', topic, '-K', '|', '-z', codec, '-H', 'source=kcat', '-H', `codec=${codec}`, '-X', 'linger.ms=20'], { input: lines.join('\n') + '\n' })

      // Stored as librdkafka compressed it: every batch carries the codec, and our own decoder agrees.
      const batches = storedBatches(t, topic)
      expect(batches.length).toBeGreaterThan(0)
      const expectedCodec = codec === 'lz4' && LZ4_GATED ? 'none' : codec
      expect(batches.map((b) => b.compression)).toEqual(batches.map(() => COMPRESSION_CODEC_IDS[expectedCodec]))
      const stored = batches.flatMap((b) => readRecords(b.bytes))
      expect(stored).toHaveLength(COUNT)
      expect(stored[COUNT - 1]).toMatchObject({ offset: COUNT - 1, headers: { source: 'kcat', codec } })

      const { stdout } = await runKcat(['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\t%k\t%s\t%h\n'])
      const consumed = stdout.toString().split('\n').filter(Boolean)
      expect(consumed).toHaveLength(COUNT)
      const expected = lines.map((line, i) => {
        const [key, value] = line.split('|')
        return `${i}\t${key}\t${value}\tsource=kcat,codec=${codec}`
      })
      expect(consumed).toEqual(expected)
    }, 30_000)
  }

  it(`consumes ${COUNT} records from lz4 batches written by our encoder, identical and in order`, async (ctx) => {
    requireKcat(ctx)
    const topic = randomTopic('lz4-ours')
    const client = await RawClient.connect(t.broker.port)
    await createTopic(client, topic)
    const records = Array.from({ length: COUNT }, (_, i) => ({ key: `key-${i % 97}`, value: `value ${i} lz4`, headers: { source: 'tributary' } }))
    for (let i = 0; i < COUNT; i += 1000) await produce(client, topic, 0, textBatch(records.slice(i, i + 1000), { compression: 'lz4' }))
    await client.close()
    expect(storedBatches(t, topic).every((b) => b.compression === COMPRESSION_CODEC_IDS.lz4)).toBe(true)
    const { stdout } = await runKcat(['-C', '-b', t.broker.bootstrapServers, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\t%k\t%s\t%h\n'])
    expect(stdout.toString().split('\n').filter(Boolean)).toEqual(records.map((r, i) => `${i}\t${r.key}\t${r.value}\tsource=tributary`))
  })
})

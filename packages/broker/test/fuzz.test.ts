import { CreateTopicsApi, FetchApi, IncrementalAlterConfigsApi, MetadataApi, ProduceApi, Writer, encodeRequestFrame, type ApiDefinition, type Input } from '@tributary/protocol'
import { RawClient, startTestBroker, textBatch } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { HandlerRegistry } from '../src/handlers/index.js'

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('garbage requests', () => {
  it('never crash the broker or reach other connections: each is answered or its connection closed', async () => {
    const { broker, log } = await startTestBroker()
    const observer = await RawClient.connect(broker.port)
    const ranges = new HandlerRegistry().apiVersions()
    const next = random(20_251_122)
    try {
      for (let i = 0; i < 1000; i++) {
        const range = ranges[Math.floor(next() * ranges.length)]!
        const version = range.minVersion + Math.floor(next() * (range.maxVersion - range.minVersion + 1))
        const body = Buffer.from(Array.from({ length: Math.floor(next() * 120) }, () => Math.floor(next() * 256)))
        const client = await RawClient.connect(broker.port)
        const correlationId = client.reserveCorrelationId()
        const w = new Writer().int32(0).int16(range.apiKey).int16(version).int32(correlationId).nullableString('fuzz')
        // Flexible header versions end with a tag section; sometimes leave it out on purpose.
        if (next() < 0.5) w.uvarint(0)
        w.raw(body)
        w.patchInt32(0, w.offset - 4)
        client.sendRaw(w.toBuffer())
        // Either an answer arrives or the broker closes the connection; nothing hangs.
        await Promise.race([client.expect(correlationId, 5_000).catch(() => undefined), client.closed])
        await client.close()
      }
      expect((await observer.request(MetadataApi, 12, { topics: [] })).brokers).toHaveLength(1)
      expect(log.matching(/ERROR/)).toEqual([])
    } finally {
      await observer.close()
      await broker.close()
    }
  })
  it('never crash the broker when valid requests have bytes flipped', async () => {
    const { broker, log } = await startTestBroker()
    const observer = await RawClient.connect(broker.port)
    const next = random(7)
    const topic = 'fuzzed'
    const samples: [ApiDefinition<unknown, unknown>, number, Input<unknown>][] = [
      [ProduceApi as ApiDefinition<unknown, unknown>, 9, { acks: -1, timeoutMs: 100, topicData: [{ name: topic, partitionData: [{ index: 0, records: textBatch([{ key: 'k', value: 'v', headers: { h: '1' } }]) }] }] }],
      [FetchApi as ApiDefinition<unknown, unknown>, 12, { maxWaitMs: 10, minBytes: 1, sessionId: 0, sessionEpoch: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }] }],
      [MetadataApi as ApiDefinition<unknown, unknown>, 12, { topics: [{ name: topic }] }],
      [CreateTopicsApi as ApiDefinition<unknown, unknown>, 7, { topics: [{ name: 'fuzz-created', numPartitions: 1, replicationFactor: 1 }] }],
      [IncrementalAlterConfigsApi as ApiDefinition<unknown, unknown>, 1, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }] }],
    ]
    try {
      for (let i = 0; i < 600; i++) {
        const [api, version, body] = samples[i % samples.length]!
        const client = await RawClient.connect(broker.port)
        const correlationId = client.reserveCorrelationId()
        const frame = Buffer.from(encodeRequestFrame(api, version, { correlationId, clientId: 'fuzz' }, body))
        // Flip a few bytes after the request header's api key, version and correlation id.
        for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--) frame[12 + Math.floor(next() * (frame.length - 12))]! ^= 1 + Math.floor(next() * 255)
        client.sendRaw(frame)
        await Promise.race([client.expect(correlationId, 5_000).catch(() => undefined), client.closed])
        await client.close()
      }
      expect((await observer.request(MetadataApi, 12, { topics: [] })).brokers).toHaveLength(1)
      expect(log.matching(/ERROR/)).toEqual([])
    } finally {
      await observer.close()
      await broker.close()
    }
  })
})

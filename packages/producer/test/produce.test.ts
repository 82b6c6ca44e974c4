import { jsonSerde } from '@tributary/client'
import { decodeRecordBatches } from '@tributary/protocol'
import { RawClient, fetchPartition, randomTopic } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { ProducerStateError, RecordTooLargeError, SendBatchError } from '../src/index.js'
import { createTopics, producerSuite, readPartition, recordProduceRequests } from './helpers.js'

describe('Producer: sending', () => {
  const t = producerSuite()
  const producer = t.producer

  it('resolves each send with topic, partition, offset (bigint) and timestamp, and writes key, value and headers', async () => {
    const topic = randomTopic('basic')
    const p = producer()
    const before = Date.now()
    const first = await p.send({ topic, key: 'k-1', value: 'one', headers: { source: 'web', trace: ['a', 'b'] } })
    const second = await p.send({ topic, key: Buffer.from('k-2'), value: Buffer.from('two'), headers: [{ key: 'bin', value: Buffer.from([1, 2]) }], timestamp: 1_700_000_000_000 })
    expect(first).toMatchObject({ topic, partition: 0, offset: 0n, baseOffset: 0n })
    expect(first.timestamp).toBeGreaterThanOrEqual(before)
    expect(second).toMatchObject({ topic, partition: 0, offset: 1n, timestamp: 1_700_000_000_000 })
    const stored = await readPartition(t, topic)
    expect(stored.map((r) => [r.key, r.value])).toEqual([
      ['k-1', 'one'],
      ['k-2', 'two'],
    ])
    expect(stored[0]!.headers).toEqual({ source: 'web', trace: 'b' })
    expect(stored[1]!.timestamp).toBe(1_700_000_000_000)
  })

  it('keeps repeated header keys in order and null values', async () => {
    const topic = randomTopic('headers')
    await producer().send({ topic, value: null, headers: [{ key: 'h', value: '1' }, { key: 'h', value: null }, { key: 'h', value: '3' }] })
    const client = await RawClient.connect(t.broker.port)
    const data = await fetchPartition(client, topic, 0, 0)
    await client.close()
    const [record] = decodeRecordBatches(data.records!)[0]!.records
    expect(record!.value).toBeNull()
    expect(record!.headers.map((h) => [h.key, h.value?.toString() ?? null])).toEqual([
      ['h', '1'],
      ['h', null],
      ['h', '3'],
    ])
  })

  it('gives sendBatch results in order, offsets consecutive within a partition', async () => {
    const topic = randomTopic('batch')
    const metas = await producer().sendBatch(Array.from({ length: 500 }, (_, i) => ({ topic, value: `v${i}` })))
    expect(metas.map((m) => m.offset)).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(i)))
    const stored = await readPartition(t, topic)
    expect(stored.map((r) => r.value)).toEqual(Array.from({ length: 500 }, (_, i) => `v${i}`))
  })

  it('serializes with configured serdes, and refuses values the default serializer cannot write', async () => {
    const topic = randomTopic('serde')
    const p = producer<string, { id: number }>({ valueSerializer: jsonSerde<{ id: number }>() })
    await p.send({ topic, key: 'a', value: { id: 7 } })
    expect((await readPartition(t, topic))[0]!.value).toBe('{"id":7}')
    const plain = producer()
    const err = await plain.send({ topic, value: { id: 1 } as unknown as string }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SERIALIZATION_ERROR' })
    expect((err as Error).message).toContain('valueSerializer')
  })

  it('reports which records of a sendBatch failed, with every result', async () => {
    const topic = randomTopic('batch-err')
    const p = producer({ maxRequestSize: 2048 })
    const err = await p.sendBatch([{ topic, value: 'small' }, { topic, value: 'x'.repeat(5000) }, { topic, value: 'fine' }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SendBatchError)
    const results = (err as SendBatchError).results
    expect(results[0]).toMatchObject({ topic, offset: 0n })
    expect(results[1]).toBeInstanceOf(RecordTooLargeError)
    expect(results[2]).toMatchObject({ topic, offset: 1n })
    expect([...(err as SendBatchError).errors.keys()]).toEqual(['/records/1'])
  })

  it.each([
    ['all', -1],
    [-1, -1],
    [1, 1],
  ] as const)('acks %s sends acks=%i and gets offsets back', async (acks, wire) => {
    const topic = randomTopic('acks')
    const log = recordProduceRequests(t.broker)
    try {
      const meta = await producer({ acks, enableIdempotence: acks === 1 ? false : undefined }).send({ topic, value: 'v' })
      expect(meta.offset).toBe(0n)
      expect(log.requests.filter((r) => r.partitions.some((p) => p.topic === topic)).map((r) => r.acks)).toEqual([wire])
    } finally {
      log.stop()
    }
  })

  it('acks 0 resolves once written, with offset -1n, and the records arrive', async () => {
    const topic = randomTopic('acks0')
    await createTopics(t.broker, { [topic]: 1 })
    const log = recordProduceRequests(t.broker)
    try {
      const p = producer({ acks: 0 })
      const metas = await p.sendBatch(Array.from({ length: 20 }, (_, i) => ({ topic, value: `z${i}` })))
      expect(metas.every((m) => m.offset === -1n && m.partition === 0)).toBe(true)
      expect(log.requests.filter((r) => r.partitions.some((x) => x.topic === topic)).every((r) => r.acks === 0)).toBe(true)
      await expect.poll(async () => (await readPartition(t, topic)).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `z${i}`))
    } finally {
      log.stop()
    }
  })

  it('reports LogAppendTime from the broker when the topic uses it', async () => {
    const topic = randomTopic('lat')
    await createTopics(t.broker, { [topic]: 1 }, { 'message.timestamp.type': 'LogAppendTime' })
    const before = Date.now()
    const meta = await producer().send({ topic, value: 'v', timestamp: 1_000 })
    expect(meta.logAppendTime).toBeGreaterThanOrEqual(before)
    expect(meta.timestamp).toBe(meta.logAppendTime)
  })

  it('rejects sends after close, and close delivers what was accepted first', async () => {
    const topic = randomTopic('close')
    const p = producer({ lingerMs: 200 })
    const pending = Array.from({ length: 10 }, (_, i) => p.send({ topic, value: `c${i}` }))
    await p.close()
    const metas = await Promise.all(pending)
    expect(metas.map((m) => m.offset)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)))
    await expect(p.send({ topic, value: 'late' })).rejects.toBeInstanceOf(ProducerStateError)
    await expect(p.close()).resolves.toBeUndefined()
  })

  it('close with a timeout fails what it could not deliver, with CLIENT_CLOSED, instead of losing it silently', async () => {
    const topic = randomTopic('close-timeout')
    await createTopics(t.broker, { [topic]: 1 })
    const stop = t.broker.intercept((r) => (r.apiName === 'Produce' && JSON.stringify(r.request, (_k, v) => (typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? undefined : v)).includes(topic) ? { drop: true } : undefined))
    try {
      const p = producer({ lingerMs: 0 })
      const sent = p.send({ topic, value: 'never acknowledged' })
      await new Promise((r) => setTimeout(r, 100))
      const started = Date.now()
      await p.close({ timeoutMs: 300 })
      expect(Date.now() - started).toBeLessThan(2_000)
      await expect(sent).rejects.toMatchObject({ code: 'CLIENT_CLOSED' })
    } finally {
      stop()
    }
  })
})

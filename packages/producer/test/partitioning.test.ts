import { randomTopic } from '@tributary/testkit'
import { Partitioners } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import type { PartitionerFunction } from '../src/index.js'
import { createTopics, producerSuite, readPartition, recordProduceRequests } from './helpers.js'

describe('Producer: partitioning against a broker', () => {
  const t = producerSuite()
  const producer = t.producer

  it('writes to the explicit partition when a record names one, whatever the key', async () => {
    const topic = randomTopic('explicit')
    await createTopics(t.broker, { [topic]: 4 })
    const metas = await producer().sendBatch([0, 3, 2, 3].map((partition, i) => ({ topic, partition, key: 'same', value: `e${i}` })))
    expect(metas.map((m) => m.partition)).toEqual([0, 3, 2, 3])
    expect((await readPartition(t, topic, 3)).map((r) => r.value)).toEqual(['e1', 'e3'])
  })

  it('rejects a partition the topic does not have, after checking fresh metadata', async () => {
    const topic = randomTopic('no-such-partition')
    await createTopics(t.broker, { [topic]: 2 })
    await expect(producer({ maxBlockMs: 300 }).send({ topic, partition: 5, value: 'x' })).rejects.toMatchObject({ code: 'METADATA_TIMEOUT' })
  })

  it('puts keyed records in the partition kafkajs DefaultPartitioner (Java-compatible) picks', async () => {
    const topic = randomTopic('murmur2')
    await createTopics(t.broker, { [topic]: 12 })
    const kafkajs = Partitioners.DefaultPartitioner()
    const partitionMetadata = Array.from({ length: 12 }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
    const keys = Array.from({ length: 300 }, (_, i) => `order-${i * 31}`)
    const metas = await producer().sendBatch(keys.map((key) => ({ topic, key, value: key })))
    metas.forEach((m, i) => expect(m.partition, keys[i]).toBe(kafkajs({ topic, partitionMetadata, message: { key: keys[i]!, value: null } })))
    const stored = (await Promise.all(Array.from({ length: 12 }, (_, p) => readPartition(t, topic, p)))).map((rs, p) => rs.map((r) => [r.key, p] as const))
    for (const [key, p] of stored.flat()) expect(p).toBe(metas[keys.indexOf(key!)]!.partition)
  })

  it('sticks keyless records to one partition until its batch is full, then moves on (KIP-480)', async () => {
    const topic = randomTopic('sticky')
    await createTopics(t.broker, { [topic]: 4 })
    const log = recordProduceRequests(t.broker)
    try {
      // 108-byte records, 1 KiB batches: 8 per batch.
      const metas = await producer({ batchSize: 1024, lingerMs: 1000 }).sendBatch(Array.from({ length: 70 }, (_, i) => ({ topic, value: `${i}`.padEnd(100, '.') })))
      const runs: { partition: number; length: number }[] = []
      for (const m of metas) {
        const last = runs[runs.length - 1]
        if (last && last.partition === m.partition) last.length++
        else runs.push({ partition: m.partition, length: 1 })
      }
      // Consecutive records share a partition for a whole batch, and every move changes partition.
      expect(runs.length).toBeGreaterThanOrEqual(8)
      for (const run of runs.slice(0, -1)) expect(run.length).toBe(8)
      const batches = log.requests.flatMap((r) => r.partitions.filter((p) => p.topic === topic))
      expect(batches.every((b) => b.batchBytes <= 1024)).toBe(true)
      expect(batches.map((b) => b.records).sort((a, b) => a - b)).toEqual([6, 8, 8, 8, 8, 8, 8, 8, 8])
    } finally {
      log.stop()
    }
  })

  it("spreads records over every partition in turn with partitioner 'round-robin', keys ignored", async () => {
    const topic = randomTopic('rr')
    await createTopics(t.broker, { [topic]: 3 })
    const metas = await producer({ partitioner: 'round-robin' }).sendBatch(Array.from({ length: 9 }, (_, i) => ({ topic, key: 'k', value: `r${i}` })))
    const partitions = metas.map((m) => m.partition)
    expect(new Set(partitions).size).toBe(3)
    for (let i = 3; i < 9; i++) expect(partitions[i]).toBe(partitions[i - 3])
  })

  it('uses a custom partitioner function, and fails records it places out of range', async () => {
    const topic = randomTopic('custom')
    await createTopics(t.broker, { [topic]: 5 })
    const calls: { partitions: number; available: readonly number[]; key: string | null }[] = []
    const byValue: PartitionerFunction<string, string> = (record, ctx) => {
      calls.push({ partitions: ctx.partitions, available: ctx.availablePartitions, key: ctx.keyBytes?.toString() ?? null })
      return record.value === 'bad' ? 99 : record.value.length % ctx.partitions
    }
    const p = producer<string, string>({ partitioner: byValue })
    const metas = await p.sendBatch(['a', 'bb', 'cccc'].map((value) => ({ topic, key: 'k', value })))
    expect(metas.map((m) => m.partition)).toEqual([1, 2, 4])
    expect(calls[0]).toEqual({ partitions: 5, available: [0, 1, 2, 3, 4], key: 'k' })
    await expect(p.send({ topic, value: 'bad' })).rejects.toThrow(/returned 99/)
    // An explicit partition wins over the function.
    expect((await p.send({ topic, partition: 0, value: 'cccc' })).partition).toBe(0)
  })
})

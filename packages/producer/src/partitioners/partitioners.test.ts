import { Partitioners } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { Murmur2Partitioner } from './murmur2.js'
import { RoundRobinPartitioner } from './round-robin.js'
import { StickyPartitioner } from './sticky.js'
import type { TopicPartitions } from './types.js'

const topicOf = (count: number, available = Array.from({ length: count }, (_, i) => i)): TopicPartitions => ({ topic: 't', count, available })
const record = { topic: 't', value: 'v' }

describe('Murmur2Partitioner', () => {
  it('puts keyed records where kafkajs DefaultPartitioner (Java-compatible) does, for many keys and partition counts', () => {
    const kafkajs = Partitioners.DefaultPartitioner()
    const ours = new Murmur2Partitioner()
    for (const count of [1, 2, 3, 7, 12, 100]) {
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
      for (let i = 0; i < 2000; i++) {
        const key = i % 3 === 0 ? `customer-${i}` : i % 3 === 1 ? `ключ-${i}-é` : String(i * 7919)
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } })
        expect(ours.partition(record, Buffer.from(key, 'utf8'), topicOf(count)), `key ${key}, ${count} partitions`).toBe(expected)
      }
    }
  })

  it('hashes over all partitions, so a key keeps its partition while some have no leader', () => {
    const ours = new Murmur2Partitioner()
    const key = Buffer.from('stable')
    expect(ours.partition(record, key, topicOf(6, [0]))).toBe(ours.partition(record, key, topicOf(6)))
  })
})

describe('StickyPartitioner (KIP-480)', () => {
  it('keeps one partition until a new batch is needed there, then moves to another', () => {
    const randoms = [0.5, 0.1, 0.9, 0.3]
    const sticky = new StickyPartitioner(() => randoms.shift() ?? 0)
    const topic = topicOf(4)
    const first = sticky.partition(topic)
    expect(sticky.partition(topic)).toBe(first)
    // The first batch in a freshly chosen partition is its own.
    expect(sticky.onNewBatch(topic, first)).toBe(first)
    expect(sticky.partition(topic)).toBe(first)
    // The next new batch moves on, always to a different partition.
    const second = sticky.onNewBatch(topic, first)
    expect(second).not.toBe(first)
    expect(sticky.partition(topic)).toBe(second)
    const third = sticky.onNewBatch(topic, second)
    expect(third).not.toBe(second)
  })

  it('chooses among partitions with a leader, and ignores onNewBatch for other partitions', () => {
    const sticky = new StickyPartitioner()
    const topic = topicOf(5, [3])
    expect(sticky.partition(topic)).toBe(3)
    expect(sticky.onNewBatch(topic, 1)).toBe(3)
    for (let i = 0; i < 20; i++) expect(sticky.onNewBatch(topic, 3)).toBe(3)
  })
})

describe('RoundRobinPartitioner', () => {
  it('cycles through available partitions, ignoring keys', () => {
    const rr = new RoundRobinPartitioner()
    const seen = Array.from({ length: 8 }, () => rr.partition(record, Buffer.from('same key'), topicOf(4)))
    expect(seen).toEqual([0, 1, 2, 3, 0, 1, 2, 3])
    expect(Array.from({ length: 4 }, () => rr.partition(record, null, { topic: 'u', count: 4, available: [1, 3] }))).toEqual([1, 3, 1, 3])
  })
})

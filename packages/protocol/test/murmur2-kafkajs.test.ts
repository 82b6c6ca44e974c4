/**
 * Cross-check of our partitioner against kafkajs 2.2.4's default partitioner, which implements the
 * Java client's murmur2 independently (with a Long library): same partition for 10,000 random keys.
 */
import { createRequire } from 'node:module'
import { randomBytes, randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../src/index.js'

const require = createRequire(import.meta.url)
const murmur2Kafkajs = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number
const { Partitioners } = require('kafkajs') as { Partitioners: { DefaultPartitioner: () => (args: object) => number } }

describe('murmur2 against kafkajs', () => {
  it('picks the same partition as kafkajs’s default partitioner for 10,000 random keys', () => {
    const partitioner = Partitioners.DefaultPartitioner()
    for (let i = 0; i < 10_000; i++) {
      const key = randomBytes(randomInt(0, 100))
      const numPartitions = randomInt(1, 1_000)
      const partitionMetadata = Array.from({ length: numPartitions }, (_, partitionId) => ({ partitionId, leader: 0 }))
      const expected = partitioner({ topic: 't', partitionMetadata, message: { key } })
      expect(partitionForKey(key, numPartitions)).toBe(expected)
      expect(murmur2(key)).toBe(murmur2Kafkajs(key))
    }
  })

  it('agrees on string keys', () => {
    for (const key of ['', 'a', 'order-1', 'клиент-42', '🙂 emoji key']) {
      expect(murmur2(Buffer.from(key))).toBe(murmur2Kafkajs(Buffer.from(key)))
    }
  })
})

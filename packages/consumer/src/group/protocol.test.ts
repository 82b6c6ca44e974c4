import { DecodeError, Writer } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './protocol.js'

describe('consumer protocol', () => {
  it('round-trips a v3 subscription with owned partitions, generation and rack', () => {
    const s = { topics: ['a', 'b'], userData: Buffer.from([1, 2]), ownedPartitions: [{ topic: 'a', partition: 1 }, { topic: 'a', partition: 0 }], generationId: 7, rackId: 'r1' }
    const bytes = encodeSubscription(s)
    expect(bytes.readInt16BE(0)).toBe(3)
    expect(decodeSubscription(bytes)).toEqual({ ...s, version: 3, ownedPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }] })
  })

  it('reads v0 subscriptions (librdkafka, old Java) with defaults for the later fields', () => {
    const bytes = encodeSubscription({ topics: ['a'], userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0)
    expect(decodeSubscription(bytes)).toEqual({ version: 0, topics: ['a'], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
  })

  it('reads a subscription of a future version as the newest known one', () => {
    const v3 = encodeSubscription({ topics: ['a'], userData: null, ownedPartitions: [], generationId: 2, rackId: null })
    const future = Buffer.concat([v3, Buffer.from([0, 0, 0, 9])])
    future.writeInt16BE(5, 0)
    expect(decodeSubscription(future)).toMatchObject({ version: 5, topics: ['a'], generationId: 2 })
  })

  it('round-trips assignments; empty bytes are an empty assignment', () => {
    const bytes = encodeAssignment([{ topic: 'b', partition: 2 }, { topic: 'a', partition: 0 }], null, 1)
    expect(decodeAssignment(bytes)).toEqual({ version: 1, partitions: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 2 }], userData: null })
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ version: 0, partitions: [], userData: null })
  })

  it('rejects truncated bytes with a DecodeError', () => {
    const w = new Writer()
    w.int16(0).int32(3)
    expect(() => decodeSubscription(w.toBuffer())).toThrow(DecodeError)
  })
})

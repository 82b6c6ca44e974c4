import { DecodeError } from '@tributary/protocol'
import { describe, expect, it } from 'vitest'
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  decodePendingOffsetValue,
  encodeGroupValue,
  encodeKey,
  encodeOffsetValue,
  encodePendingOffsetValue,
  type StoredGroup,
  type StoredKey,
} from './records.js'

describe('__consumer_offsets records', () => {
  it('round-trips every key kind, with the kind as the leading int16', () => {
    const keys: StoredKey[] = [
      { kind: 'offset', groupId: 'g', topic: 'orders', partition: 7 },
      { kind: 'group', groupId: 'g' },
      { kind: 'pendingTxnOffset', groupId: 'g', topic: 'orders', partition: 0, producerId: 9_007_199_254_740_993n },
    ]
    for (const key of keys) {
      const bytes = encodeKey(key)
      expect(decodeKey(bytes)).toEqual(key)
      expect(bytes.readInt16BE(0)).toBe({ offset: 1, group: 2, pendingTxnOffset: 3 }[key.kind])
    }
    // Compaction keeps one record per key: equal keys must encode to equal bytes.
    expect(encodeKey({ kind: 'offset', groupId: 'g', topic: 't', partition: 1 })).toEqual(encodeKey({ kind: 'offset', groupId: 'g', topic: 't', partition: 1 }))
  })

  it('round-trips offset, pending offset and group values', () => {
    const offset = { offset: 123n, leaderEpoch: 4, metadata: null, commitTimestamp: 1_700_000_000_123, expireTimestamp: -1 }
    expect(decodeOffsetValue(encodeOffsetValue(offset))).toEqual(offset)
    const pending = { producerEpoch: 3, offset: 5n, leaderEpoch: -1, metadata: 'm', commitTimestamp: 1 }
    expect(decodePendingOffsetValue(encodePendingOffsetValue(pending))).toEqual(pending)
    const group: StoredGroup = {
      protocolType: 'consumer',
      generationId: 12,
      protocolName: 'range',
      leaderId: 'a',
      stateTimestamp: 1_700_000_000_000,
      members: [
        { memberId: 'a', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 300_000, sessionTimeoutMs: 45_000, subscription: Buffer.from([1, 2]), assignment: Buffer.alloc(0) },
        { memberId: 'b', groupInstanceId: 'i', clientId: 'c', clientHost: '/::1', rebalanceTimeoutMs: 1, sessionTimeoutMs: 2, subscription: Buffer.alloc(0), assignment: Buffer.from('x') },
      ],
    }
    expect(decodeGroupValue(encodeGroupValue(group))).toEqual(group)
    const empty: StoredGroup = { protocolType: null, generationId: 1, protocolName: null, leaderId: null, stateTimestamp: 5, members: [] }
    expect(decodeGroupValue(encodeGroupValue(empty))).toEqual(empty)
  })

  it('skips unknown kinds and versions and rejects damaged bytes', () => {
    expect(decodeKey(Buffer.from([0, 9, 0, 0]))).toBeUndefined()
    const v1 = encodeOffsetValue({ offset: 1n, leaderEpoch: 0, metadata: '', commitTimestamp: 0, expireTimestamp: -1 })
    v1.writeInt16BE(1, 0)
    expect(decodeOffsetValue(v1)).toBeUndefined()
    expect(() => decodeKey(Buffer.from([0, 1, 0, 5, 0x61]))).toThrow(DecodeError)
    expect(() => decodeKey(Buffer.concat([encodeKey({ kind: 'group', groupId: 'g' }), Buffer.from([0])]))).toThrow(DecodeError)
    const group = encodeGroupValue({ protocolType: 'consumer', generationId: 1, protocolName: 'range', leaderId: 'a', stateTimestamp: 0, members: [] })
    group.writeInt32BE(1_000_000, group.length - 4)
    expect(() => decodeGroupValue(group)).toThrow(DecodeError)
  })
})

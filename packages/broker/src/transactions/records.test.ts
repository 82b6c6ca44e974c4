import { describe, expect, it } from 'vitest'
import type { TransactionMetadata } from './metadata.js'
import { decodeKey, decodeProducerIdBlock, decodeTransactionValue, encodeKey, encodeProducerIdBlock, encodeTransactionValue } from './records.js'

const meta: TransactionMetadata = {
  transactionalId: 'app-1',
  producerId: 4001n,
  previousProducerId: -1n,
  producerEpoch: 7,
  lastProducerEpoch: 6,
  timeoutMs: 60_000,
  state: 'PrepareCommit',
  partitions: [
    { topic: 'audit', partition: 0 },
    { topic: 'orders', partition: 1 },
    { topic: 'orders', partition: 2 },
  ],
  startTimestamp: 1_700_000_000_000,
  lastUpdateTimestamp: 1_700_000_000_500,
}

describe('__transaction_state records', () => {
  it('round-trip keys, transaction metadata and the producer id block', () => {
    expect(decodeKey(encodeKey({ kind: 'transaction', transactionalId: 'app-1' }))).toEqual({ kind: 'transaction', transactionalId: 'app-1' })
    expect(decodeKey(encodeKey({ kind: 'producerIdBlock' }))).toEqual({ kind: 'producerIdBlock' })
    expect(decodeTransactionValue('app-1', encodeTransactionValue(meta))).toEqual(meta)
    expect(decodeTransactionValue('app-1', encodeTransactionValue({ ...meta, state: 'Empty', partitions: [] }))).toMatchObject({ state: 'Empty', partitions: [] })
    expect(decodeProducerIdBlock(encodeProducerIdBlock(123_000n))).toBe(123_000n)
  })

  it('refuse versions, kinds and states this broker does not know, and truncated values', () => {
    const key = encodeKey({ kind: 'transaction', transactionalId: 'x' })
    key.writeInt16BE(1, 0)
    expect(() => decodeKey(key)).toThrow(/key version 1/)
    expect(() => decodeKey(Buffer.from([0, 0, 9]))).toThrow(/kind 9/)
    const value = encodeTransactionValue(meta)
    const badState = Buffer.from(value)
    badState.writeInt8(42, 26)
    expect(() => decodeTransactionValue('app-1', badState)).toThrow(/state id 42/)
    expect(() => decodeTransactionValue('app-1', value.subarray(0, value.length - 2))).toThrow()
    expect(() => decodeProducerIdBlock(Buffer.from([0, 5]))).toThrow(/version 5/)
  })
})

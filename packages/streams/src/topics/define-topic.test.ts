import type { ConsumerRecord } from '@tributary/consumer'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { StreamRecord } from '../record.js'
import { DEAD_LETTER_HEADERS, deadLetterRecord } from './dead-letter.js'
import { decodeRecord } from './decode-record.js'
import { asTopic, defineTopic } from './define-topic.js'
import { OutputTopics } from './encode-output.js'

const raw = (key: string | null, value: string | null, offset = 3n): ConsumerRecord<Buffer | null, Buffer | null> => ({
  topic: 'orders',
  partition: 1,
  offset,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: { trace: Buffer.from('t-1') },
  headerList: [{ key: 'trace', value: Buffer.from('t-1') }],
  timestamp: 1000,
  timestampType: 'CreateTime',
  leaderEpoch: 0,
})

describe('defineTopic', () => {
  const Order = z.object({ id: z.string(), amount: z.number().positive() })
  const orders = defineTopic('orders', { value: Order })

  it('decodes keys as strings and values through the schema; types follow the schema', () => {
    const r = decodeRecord(orders, raw('c-1', '{"id":"o-1","amount":5}'))
    expectTypeOf(r).toEqualTypeOf<StreamRecord<string | null, { id: string; amount: number }>>()
    expect(r).toMatchObject({ key: 'c-1', value: { id: 'o-1', amount: 5 }, partition: 1, offset: 3n, timestamp: 1000 })
  })

  it('rejects invalid values with an error naming the topic, offset and path', () => {
    expect(() => decodeRecord(orders, raw('c-1', '{"id":"o-1","amount":-5}'))).toThrow(/topic "orders" at offset 3: amount: .*>0/)
    expect(() => decodeRecord(orders, raw('c-1', 'nope'))).toThrow(/Invalid JSON/)
  })

  it('supports msgpack values, typed keys and dead-letter settings', () => {
    const t = defineTopic('events', { key: z.string().uuid(), value: z.object({ n: z.number() }), valueFormat: 'msgpack', deadLetterTopic: false })
    expect(t.deadLetterTopic).toBe(false)
    expect(orders.deadLetterTopic).toBe('orders-dlq')
    const out = new OutputTopics(t)
    const encoded = out.encode({ key: '7f1c7a5e-3f3e-4c41-9a57-0c3bb1c9a1d2', value: { n: 1 } })
    expect(decodeRecord(t, { ...raw(null, null), key: encoded.key ?? null, value: encoded.value ?? null })).toMatchObject({ value: { n: 1 } })
    expect(() => out.encode({ key: 'not-a-uuid', value: { n: 1 } })).toThrow(/cannot be written/)
  })

  it('encodes outputs by the topic they name; unknown topics take bytes or strings', () => {
    const out = new OutputTopics(orders)
    expect(out.encode({ key: 'c', value: { id: 'o', amount: 1 } })).toMatchObject({ topic: 'orders', value: Buffer.from('{"id":"o","amount":1}') })
    expect(out.encode({ topic: 'audit', value: 'text' })).toMatchObject({ topic: 'audit', value: Buffer.from('text'), key: null })
    expect(() => out.encode({ topic: 'audit', value: { not: 'bytes' } })).toThrow(/expected a Buffer/)
    expect(() => new OutputTopics(undefined).encode({ value: 'x' })).toThrow(/names no topic/)
    expect(asTopic('plain')).toMatchObject({ name: 'plain', deadLetterTopic: false })
  })

  it('builds dead-letter records that keep the original and say why', () => {
    const dlq = deadLetterRecord(raw('c-1', 'nope', 42n), Object.assign(new Error('Invalid JSON'), { code: 'SERDE_ERROR' }), 'orders-dlq')
    expect(dlq).toMatchObject({ topic: 'orders-dlq', key: Buffer.from('c-1'), value: Buffer.from('nope'), timestamp: 1000 })
    expect(dlq.headers).toEqual([
      { key: 'trace', value: Buffer.from('t-1') },
      { key: DEAD_LETTER_HEADERS.error, value: 'Invalid JSON' },
      { key: DEAD_LETTER_HEADERS.code, value: 'SERDE_ERROR' },
      { key: DEAD_LETTER_HEADERS.topic, value: 'orders' },
      { key: DEAD_LETTER_HEADERS.partition, value: '1' },
      { key: DEAD_LETTER_HEADERS.offset, value: '42' },
    ])
  })
})

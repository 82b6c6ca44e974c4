import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { jsonSerde } from './json-serde.js'
import { msgpackSerde } from './msgpack-serde.js'
import { SerdeError } from './serde.js'
import { stringSerde } from './string-serde.js'
import { zodSerde } from './zod-serde.js'

const out = { topic: 'orders', headers: {} }
const at = (offset: bigint | number) => ({ topic: 'orders', partition: 2, offset, headers: {} })

describe('serdes', () => {
  it('string: UTF-8 by default, other encodings on request, null stays null', () => {
    const s = stringSerde()
    expect(s.serialize('héllo ✓', out)).toEqual(Buffer.from('héllo ✓', 'utf8'))
    expect(s.deserialize(s.serialize('héllo ✓', out), at(0))).toBe('héllo ✓')
    expect(s.serialize(null, out)).toBeNull()
    expect(s.deserialize(null, at(0))).toBeNull()
    expect(stringSerde('latin1').serialize('é', out)).toEqual(Buffer.from([0xe9]))
  })

  it('json: round trip, tombstones, and undecodable bytes named by topic and offset', () => {
    const s = jsonSerde<{ id: string; items: number[] }>()
    const value = { id: 'o-1', items: [1, 2, 3] }
    expect(s.serialize(value, out)!.toString()).toBe('{"id":"o-1","items":[1,2,3]}')
    expect(s.deserialize(s.serialize(value, out), at(1))).toEqual(value)
    expect(s.serialize(null, out)).toBeNull()
    expect(() => s.deserialize(Buffer.from('{oops'), at(7))).toThrow(/^Invalid JSON for topic "orders" at offset 7: /)
    expect(() => jsonSerde().serialize({ n: 1n }, out)).toThrow(SerdeError)
  })

  it('msgpack: round trip in plain MessagePack that any reader decodes (no records extension)', () => {
    const s = msgpackSerde<Record<string, unknown>>()
    const value = { id: 'o-1', total: 42.5, tags: ['a', 'b'], nested: { ok: true, none: null }, big: 2n ** 60n, small: 7 }
    const bytes = s.serialize(value, out)!
    expect(s.deserialize(bytes, at(0))).toEqual(value)
    // Standard MessagePack, byte for byte: map16 of one entry, fixstr "a", positive fixint 1 (no record extension).
    expect(s.serialize({ a: 1 }, out)!.toString('hex')).toBe('de0001' + 'a161' + '01')
    expect(bytes[0]).toBe(0xde)
    // Two objects of the same shape encode independently (no shared structure between messages).
    const again = msgpackSerde<Record<string, unknown>>()
    expect(again.deserialize(s.serialize({ id: 'o-2', total: 1 }, out), at(1))).toEqual({ id: 'o-2', total: 1 })
    expect(() => s.deserialize(Buffer.from([0xde, 0x00, 0x05, 0xa1]), at(3))).toThrow(/^Invalid MessagePack for topic "orders" at offset 3/)
  })

  it('zod: validates on serialize, naming the topic and the failing path', () => {
    const Order = z.object({ id: z.string(), amount: z.number(), items: z.array(z.object({ sku: z.string(), qty: z.int().positive() })) })
    const s = zodSerde(Order)
    const good = { id: 'o-1', amount: 10, items: [{ sku: 'a', qty: 1 }] }
    expect(s.deserialize(s.serialize(good, out), at(0))).toEqual(good)
    const bad = { id: 'o-1', amount: '10', items: [{ sku: 'a', qty: 0 }] } as unknown as z.output<typeof Order>
    const err = (() => {
      try {
        s.serialize(bad, out)
      } catch (e) {
        return e as SerdeError
      }
    })()!
    expect(err).toBeInstanceOf(SerdeError)
    expect(err.code).toBe('SERDE_ERROR')
    expect(err.message).toMatch(/^Invalid value for topic "orders": amount: expected number, received string; items\[0\]\.qty: Too small/)
    expect(err.issues.map((i) => i.path)).toEqual([['amount'], ['items', 0, 'qty']])
  })

  it('zod: validates on deserialize with the offset, exactly as the documentation shows', () => {
    const s = zodSerde(z.object({ amount: z.number() }))
    expect(() => s.deserialize(Buffer.from('{"amount":"42"}'), at(42))).toThrow(
      'Invalid value for topic "orders" at offset 42: amount: expected number, received string',
    )
    expect(() => s.deserialize(null, at(43n))).toThrow(/at offset 43: expected object, received null/)
    expect(zodSerde(z.object({ a: z.number() }).nullable()).deserialize(null, at(1))).toBeNull()
  })

  it('zod: returns the schema output (defaults, transforms) and works over msgpack', () => {
    const s = zodSerde(z.object({ id: z.string(), qty: z.number().default(1) }), msgpackSerde())
    const bytes = s.serialize({ id: 'x', qty: 3 }, out)
    expect(s.deserialize(bytes, at(0))).toEqual({ id: 'x', qty: 3 })
    const withDefault = zodSerde(z.object({ id: z.string(), qty: z.number().default(1) }))
    expect(withDefault.deserialize(Buffer.from('{"id":"y"}'), at(0))).toEqual({ id: 'y', qty: 1 })
  })
})

import { describe, expect, it } from 'vitest'
import { DecodeError, EncodeError } from '../errors/kafka-error.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

describe('Writer and Reader', () => {
  it('round-trip every fixed-size primitive at its limits', () => {
    const w = new Writer(4)
    w.int8(-128).int8(127).int16(-32768).uint16(65535).int32(-2147483648).uint32(4294967295)
    w.int64(-(2n ** 63n)).int64(2n ** 63n - 1n).float64(-1.5).bool(true).bool(false)
    w.uuid('0123abcd-4567-89ef-0123-456789abcdef')
    const r = new Reader(w.toBuffer())
    expect([r.int8(), r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32()]).toEqual([-128, 127, -32768, 65535, -2147483648, 4294967295])
    expect([r.int64(), r.int64(), r.float64(), r.bool(), r.bool()]).toEqual([-(2n ** 63n), 2n ** 63n - 1n, -1.5, true, false])
    expect(r.uuid()).toBe('0123abcd-4567-89ef-0123-456789abcdef')
    expect(r.remaining).toBe(0)
  })

  it('encode varints as the protocol guide specifies', () => {
    const cases: Array<[number, string]> = [[0, '00'], [-1, '01'], [1, '02'], [63, '7e'], [-64, '7f'], [64, '8001'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f']]
    for (const [value, hex] of cases) {
      const w = new Writer().varint(value)
      expect(w.toBuffer().toString('hex'), `varint ${value}`).toBe(hex)
      expect(new Reader(w.toBuffer()).varint()).toBe(value)
    }
    for (const v of [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 300n]) {
      expect(new Reader(new Writer().varlong(v).toBuffer()).varlong()).toBe(v)
    }
    expect(new Writer().uvarint(300).toBuffer().toString('hex')).toBe('ac02')
  })

  it('round-trip strings and bytes in classic and compact forms, including null', () => {
    const w = new Writer()
    w.string('héllo').nullableString(null).compactString('').compactNullableString(null).compactString('kafka')
    w.bytes(Buffer.from([1, 2])).nullableBytes(null).compactBytes(Buffer.alloc(0)).compactNullableBytes(null)
    w.arrayLength(null).compactArrayLength(null).compactArrayLength(3)
    const r = new Reader(w.toBuffer())
    expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString(), r.compactString()]).toEqual(['héllo', null, '', null, 'kafka'])
    expect([...r.bytes()]).toEqual([1, 2])
    expect(r.nullableBytes()).toBeNull()
    expect(r.compactBytes().length).toBe(0)
    expect(r.compactNullableBytes()).toBeNull()
    expect(r.arrayLength()).toBe(-1)
    expect(r.compactArrayLength()).toBe(-1)
  })

  it('reject truncated data and hostile lengths with DecodeError', () => {
    expect(() => new Reader(Buffer.from([0, 0, 0])).int32()).toThrow(DecodeError)
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2])).bytes()).toThrow(/needs 2147483647 bytes/)
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).arrayLength()).toThrow(/exceeds/)
    expect(() => new Reader(Buffer.from([0x00, 0x05, 0x61])).string()).toThrow(DecodeError)
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(/more than 32 bits/)
    expect(() => new Reader(Buffer.from([0xff])).uvarint()).toThrow(DecodeError)
    expect(() => new Reader(Buffer.from([0xff, 0xff])).string()).toThrow(/cannot be null/)
  })

  it('reject values that do not fit the wire type with EncodeError', () => {
    expect(() => new Writer().string('x'.repeat(40000))).toThrow(EncodeError)
    expect(() => new Writer().uvarint(-1)).toThrow(EncodeError)
    expect(() => new Writer().uuid('nope')).toThrow(EncodeError)
    for (const bad of [2147483648, -2147483649, 1.5, Number.NaN]) expect(() => new Writer().int32(bad), String(bad)).toThrow(EncodeError)
    for (const bad of [32768, -32769, 0.5]) expect(() => new Writer().int16(bad), String(bad)).toThrow(EncodeError)
    const edges = new Writer(1).int32(-1).int32(0x12345678).int16(-2).int16(0x1234).toBuffer()
    expect(edges.toString('hex')).toBe('ffffffff' + '12345678' + 'fffe' + '1234')
    expect(new Reader(edges).int32()).toBe(-1)
  })

  it('keep unknown tagged fields and write them back in tag order', () => {
    const w = new Writer().taggedFields([{ tag: 2, data: Buffer.from([9]) }], [{ tag: 0, data: Buffer.from('ab') }])
    const r = new Reader(w.toBuffer())
    const unknown = r.taggedFields((tag) => {
      if (tag !== 2) return false
      expect(r.int8()).toBe(9)
      return true
    })
    expect(unknown).toEqual([{ tag: 0, data: Buffer.from('ab') }])
    expect(() => new Reader(Buffer.from([2, 1, 0, 0, 0])).taggedFields()).toThrow(/out of order/)
  })

  it('read tagged fields into a target through a plain function, keeping the rest as unknown', () => {
    const w = new Writer().uvarint(3)
    w.uvarint(0).uvarint(1).int8(7)
    w.uvarint(1).uvarint(2).int16(300)
    w.uvarint(4).uvarint(1).uint8(9)
    const target = { a: 0, b: 0 }
    const read = (r: Reader, t: typeof target, tag: number, version: number): boolean => {
      if (tag === 0) t.a = r.int8()
      else if (tag === 1 && version >= 2) t.b = r.int16()
      else return false
      return true
    }
    expect(new Reader(w.toBuffer()).taggedFieldsInto(target, 2, read)).toEqual([{ tag: 4, data: Buffer.from([9]) }])
    expect(target).toEqual({ a: 7, b: 300 })
    const older = { a: 0, b: 0 }
    expect(new Reader(w.toBuffer()).taggedFieldsInto(older, 1, read)).toEqual([
      { tag: 1, data: Buffer.from([1, 44]) },
      { tag: 4, data: Buffer.from([9]) },
    ])
    const short = (r: Reader, t: typeof target) => ((t.a = r.int8()), true)
    expect(() => new Reader(Buffer.from([1, 0, 2, 1, 1])).taggedFieldsInto(target, 0, short)).toThrow(/declared 2 bytes/)
    expect(() => new Reader(Buffer.from([2, 1, 0, 0, 0])).taggedFieldsInto(target, 0, () => false)).toThrow(/out of order/)
  })

  it('write known tagged fields of any size, merged in tag order with carried-over ones', () => {
    for (const size of [0, 5, 127, 128, 300, 20000]) {
      const w = new Writer(4)
      w.uint8(0xaa)
      const at = w.beginTaggedField(3)
      w.raw(Buffer.alloc(size, 1))
      w.endTaggedField(at).uint8(0xbb)
      const r = new Reader(w.toBuffer())
      expect([r.uint8(), r.uvarint(), r.uvarint()]).toEqual([0xaa, 3, size])
      expect(r.raw(size).equals(Buffer.alloc(size, 1))).toBe(true)
      expect([r.uint8(), r.remaining]).toEqual([0xbb, 0])
    }
    const unknown = [{ tag: 1, data: Buffer.from([1]) }, { tag: 5, data: Buffer.from([5]) }]
    const w = new Writer().uvarint(3)
    let i = w.rawTaggedFields(unknown, 0, 2)
    const at = w.beginTaggedField(2)
    w.int8(2).endTaggedField(at)
    i = w.rawTaggedFields(unknown, i)
    expect(i).toBe(2)
    expect(w.toBuffer().toString('hex')).toBe('03' + '010101' + '020102' + '050105')
    expect(new Writer().rawTaggedFields(unknown, 0, 4)).toBe(1)
    expect(() => new Writer().rawTaggedFields(unknown, 0, 5)).toThrow(/tag of a known field/)
    expect(() => new Writer().rawTaggedFields([...unknown].reverse(), 0)).toThrow(/ascending/)
    expect(new Writer().unknownTaggedFields(undefined).toBuffer().toString('hex')).toBe('00')
    expect(new Writer().unknownTaggedFields(unknown).toBuffer().toString('hex')).toBe('02' + '010101' + '050105')
  })
})

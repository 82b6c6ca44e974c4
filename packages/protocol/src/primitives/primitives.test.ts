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
})

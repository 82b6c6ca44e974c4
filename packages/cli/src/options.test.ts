import { InvalidArgumentError } from 'commander'
import { describe, expect, it } from 'vitest'
import { collectKeyValue, parsePort, parsePositiveInteger } from './options.js'

describe('parsePort', () => {
  it('accepts 0 to 65535', () => {
    expect(parsePort('0')).toBe(0)
    expect(parsePort(' 9092 ')).toBe(9092)
    expect(parsePort('65535')).toBe(65535)
  })

  it.each(['', 'abc', '-1', '65536', '90.5', '1e3', '0x10'])('rejects %j', (value) => {
    expect(() => parsePort(value)).toThrow(InvalidArgumentError)
  })
})

describe('parsePositiveInteger', () => {
  it('accepts integers of at least 1', () => {
    expect(parsePositiveInteger('1')).toBe(1)
    expect(parsePositiveInteger('48')).toBe(48)
  })

  it.each(['0', '-3', 'two', '1.5', '99999999999999999999'])('rejects %j', (value) => {
    expect(() => parsePositiveInteger(value)).toThrow(/at least 1/)
  })
})

describe('collectKeyValue', () => {
  it('adds entries without changing the previous object, the last value of a key winning', () => {
    const first = collectKeyValue('log.retention.ms=60000', {})
    const second = collectKeyValue('log.retention.ms=120000', first)
    const third = collectKeyValue('log.segment.bytes = 1024', second)
    expect(first).toEqual({ 'log.retention.ms': '60000' })
    expect(third).toEqual({ 'log.retention.ms': '120000', 'log.segment.bytes': ' 1024' })
  })

  it('keeps "=" inside values', () => {
    expect(collectKeyValue('a=b=c', {})).toEqual({ a: 'b=c' })
  })

  it.each(['log.retention.ms', '=5', ' =5'])('rejects %j', (entry) => {
    expect(() => collectKeyValue(entry, {})).toThrow(/key=value/)
  })
})

import { describe, expect, it } from 'vitest'
import { javaStringHashCode, kafkaAbs, partitionForKey } from './java-string-hash.js'

describe('javaStringHashCode', () => {
  it('matches values Java computes', () => {
    // Values from `"...".hashCode()` on a JVM.
    expect(javaStringHashCode('')).toBe(0)
    expect(javaStringHashCode('a')).toBe(97)
    expect(javaStringHashCode('hello')).toBe(99162322)
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'))
    expect(javaStringHashCode('Aa')).toBe(2112)
    expect(javaStringHashCode('console-consumer-12345')).toBe(158455506)
    expect(javaStringHashCode('my-group')).toBe(-1906497762)
    expect(javaStringHashCode('polygenelubricants')).toBe(-0x8000_0000)
  })

  it('hashes UTF-16 code units, as Java strings are', () => {
    expect(javaStringHashCode('é')).toBe(233)
    // One astral character is two code units: 0xD83D, 0xDE00.
    expect(javaStringHashCode('😀')).toBe(1772899)
  })
})

describe('partitionForKey', () => {
  it('is abs(hash) % partitions, with Integer.MIN_VALUE mapping to partition 0', () => {
    expect(kafkaAbs(-5)).toBe(5)
    expect(partitionForKey('polygenelubricants', 50)).toBe(0)
    expect(partitionForKey('hello', 50)).toBe(99162322 % 50)
    expect(partitionForKey('Aa', 50)).toBe(12)
    expect(partitionForKey('my-group', 50)).toBe(12)
    expect(partitionForKey('😀', 50)).toBe(49)
  })

  it('rejects a partition count that is not positive', () => {
    expect(() => partitionForKey('g', 0)).toThrow(RangeError)
  })
})

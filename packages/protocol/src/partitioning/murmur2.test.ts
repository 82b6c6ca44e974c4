import { describe, expect, it } from 'vitest'
import { KafkaError } from '../errors/kafka-error.js'
import { murmur2, partitionForKey, toPositive } from './murmur2.js'

// The values Apache Kafka's own test suite (UtilsTest.testMurmur2) expects from the Java client.
const javaVectors: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
]

describe('murmur2', () => {
  it.each(javaVectors)('hashes %j as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected)
  })

  it('covers every tail length and bytes with the high bit set', () => {
    const bytes = Buffer.from([0xff, 0x80, 0x7f, 0x01, 0xfe, 0xc3, 0x00])
    const hashes = Array.from({ length: 8 }, (_, n) => murmur2(bytes.subarray(0, n)))
    expect(new Set(hashes).size).toBe(8)
    for (const h of hashes) expect(h).toBe(h | 0)
  })
})

describe('partitionForKey', () => {
  it('clears the sign bit rather than taking the absolute value', () => {
    expect(toPositive(-973932308)).toBe(1173551340)
    expect(toPositive(-2147483648)).toBe(0)
    expect(partitionForKey(Buffer.from('21'), 7)).toBe(1173551340 % 7)
  })

  it('hashes string keys as UTF-8', () => {
    expect(partitionForKey('clé', 100)).toBe(partitionForKey(Buffer.from('clé', 'utf8'), 100))
  })

  it('rejects a partition count below one', () => {
    expect(() => partitionForKey('k', 0)).toThrow(KafkaError)
  })
})

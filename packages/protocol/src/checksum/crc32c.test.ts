import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { crc32, crc32c, crcImplementation } from './crc32c.js'
import { crc32cJs, crc32Js } from './slice-by-8.js'

const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const descending = Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))

// RFC 3720 (iSCSI) appendix B.4 test vectors plus the customary "123456789" check value.
const crc32cVectors: [string, Buffer, number][] = [
  ['123456789', Buffer.from('123456789'), 0xe3069283],
  ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 ascending bytes', ascending, 0x46dd794e],
  ['32 descending bytes', descending, 0x113fdb5c],
  ['empty', Buffer.alloc(0), 0],
]

describe('crc32c', () => {
  it('loads the native implementation on this platform', () => {
    expect(crcImplementation).toBe('native')
  })

  for (const [name, data, expected] of crc32cVectors) {
    it(`matches the published check value for ${name}`, () => {
      expect(crc32c(data)).toBe(expected)
      expect(crc32cJs(data)).toBe(expected)
    })
  }

  it('the JavaScript fallback agrees with the native one for every length up to 100 and some large inputs', () => {
    for (let n = 0; n <= 100; n++) {
      const data = randomBytes(n)
      expect(crc32cJs(data)).toBe(crc32c(data))
      expect(crc32Js(data)).toBe(crc32(data))
    }
    const big = randomBytes(65_537)
    expect(crc32cJs(big)).toBe(crc32c(big))
    expect(crc32cJs(big.subarray(3, 60_000))).toBe(crc32c(big.subarray(3, 60_000)))
  })

  it('returns unsigned values', () => {
    expect(crc32c(Buffer.alloc(32, 0))).toBeGreaterThan(0x7fffffff)
    expect(crc32cJs(Buffer.alloc(32, 0))).toBeGreaterThan(0x7fffffff)
  })
})

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339)
  })
})

describe('without the native addon', () => {
  it('falls back to the JavaScript implementation', async () => {
    vi.resetModules()
    vi.doMock('node:module', () => ({
      createRequire: () => () => {
        throw new Error('no prebuilt binary for this platform')
      },
    }))
    try {
      const fallback = await import('./crc32c.js')
      expect(fallback.crcImplementation).toBe('js')
      expect(fallback.crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
      expect(fallback.crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    } finally {
      vi.doUnmock('node:module')
      vi.resetModules()
    }
  })
})

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { DecodeError, KafkaError } from '../errors/kafka-error.js'
import { type CompressionCodec, COMPRESSION_CODECS, compressionCodecFromId } from './codec.js'
import { compress, compressionReady, compressSync, decompress, decompressSync } from './compress.js'
import {
  LZ4_CHECKSUMS_AND_SIZE,
  LZ4_LINKED_BLOCKS,
  LZ4_SMALL_TEXT,
  linkedBlocksContent,
  ZSTD_STREAMED,
  zstdStreamedContent,
} from './fixtures/golden.js'
import { lz4Decompress } from './lz4.js'
import { isXerialFramed } from './snappy.js'
import { xxhash32 } from './xxhash32.js'

const codecs = COMPRESSION_CODECS.filter((c) => c !== 'none')
const mixed = Buffer.concat([Buffer.alloc(70_000, 'kafka '), randomBytes(70_000), Buffer.alloc(300_000, 7)])

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Java-style xerial framing built by hand from raw snappy blocks. */
function xerial(chunks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
  const parts: Buffer[] = [header]
  for (const chunk of chunks) {
    const raw = compressSync('snappy', chunk)
    const len = Buffer.alloc(4)
    len.writeInt32BE(raw.length)
    parts.push(len, raw)
  }
  return Buffer.concat(parts)
}

beforeAll(() => compressionReady())

describe('codec ids', () => {
  it('maps attribute ids to names and rejects 5-7', () => {
    expect([0, 1, 2, 3, 4].map(compressionCodecFromId)).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
    expect(() => compressionCodecFromId(5)).toThrow(DecodeError)
  })
})

describe.each(codecs)('%s', (codec) => {
  it('round-trips mixed data, empty input and one byte, sync and async', async () => {
    for (const data of [mixed, Buffer.alloc(0), Buffer.from([42])]) {
      const packed = compressSync(codec, data)
      expect(decompressSync(codec, packed).equals(data)).toBe(true)
      expect((await decompress(codec, await compress(codec, data))).equals(data)).toBe(true)
    }
    expect(compressSync(codec, Buffer.alloc(100_000, 1)).length).toBeLessThan(10_000)
  })

  it('accepts a Uint8Array that is a window onto a larger buffer', () => {
    const backing = new Uint8Array(mixed.buffer, mixed.byteOffset + 1000, 5000)
    expect(decompressSync(codec, compressSync(codec, backing)).equals(Buffer.from(backing))).toBe(true)
  })

  it('reports corrupt input as a DecodeError naming the codec, and keeps working afterwards', () => {
    const packed = compressSync(codec, mixed)
    const garbage = [
      Buffer.from('this is not compressed data at all'),
      packed.subarray(0, packed.length >> 1),
      Buffer.from(packed).fill(0xa5, 20, 60),
    ]
    for (let round = 0; round < 50; round++) {
      for (const bad of garbage) {
        let thrown: unknown
        try {
          decompressSync(codec, bad)
        } catch (err) {
          thrown = err
        }
        // a flipped region inside a stored (uncompressed) block can still "decompress"; when it
        // does not, the failure must be a DecodeError naming the codec
        if (thrown !== undefined) {
          expect(thrown).toBeInstanceOf(DecodeError)
          expect((thrown as Error).message).toContain(codec)
        }
      }
    }
    expect(() => decompressSync(codec, Buffer.from('this is not compressed data at all'))).toThrow(DecodeError)
    expect(decompressSync(codec, packed).equals(mixed)).toBe(true)
  })

  it('refuses to decompress past maxDecompressedSize', async () => {
    const bomb = compressSync(codec, Buffer.alloc(4 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(200_000)
    expect(() => decompressSync(codec, bomb, { maxDecompressedSize: 1024 * 1024 })).toThrow(/limit is 1048576/)
    await expect(decompress(codec, bomb, { maxDecompressedSize: 1024 * 1024 })).rejects.toThrow(DecodeError)
    expect(decompressSync(codec, bomb, { maxDecompressedSize: 4 * 1024 * 1024 }).length).toBe(4 * 1024 * 1024)
  })
})

describe('snappy framing', () => {
  it('reads the xerial framing the Java client writes', () => {
    const parts = [mixed.subarray(0, 32 * 1024), mixed.subarray(32 * 1024, 64 * 1024), mixed.subarray(64 * 1024, 70_000)]
    const framed = xerial(parts)
    expect(isXerialFramed(framed)).toBe(true)
    expect(decompressSync('snappy', framed).equals(mixed.subarray(0, 70_000))).toBe(true)
    expect(decompressSync('snappy', xerial([])).length).toBe(0)
  })

  it('writes raw snappy (as librdkafka and kafkajs codecs do), not xerial', () => {
    expect(isXerialFramed(compressSync('snappy', mixed))).toBe(false)
  })

  it('rejects truncated xerial chunks and limits their total size', () => {
    const framed = xerial([Buffer.alloc(600_000, 1), Buffer.alloc(600_000, 2)])
    expect(() => decompressSync('snappy', framed.subarray(0, framed.length - 3))).toThrow(/snappy/)
    expect(() => decompressSync('snappy', framed, { maxDecompressedSize: 1_000_000 })).toThrow(/limit/)
  })
})

describe('lz4 frames', () => {
  it('reads a frame with content size, block checksums and a content checksum (lz4 CLI)', () => {
    expect(decompressSync('lz4', Buffer.from(LZ4_CHECKSUMS_AND_SIZE, 'base64')).toString()).toBe(LZ4_SMALL_TEXT)
  })

  it('reads linked (dependent) blocks (lz4 CLI)', () => {
    expect(decompressSync('lz4', Buffer.from(LZ4_LINKED_BLOCKS, 'base64')).equals(linkedBlocksContent())).toBe(true)
  })

  it('detects a wrong content checksum and a wrong header checksum', () => {
    const frame = Buffer.from(LZ4_CHECKSUMS_AND_SIZE, 'base64')
    const badContent = Buffer.from(frame)
    badContent[badContent.length - 1]! ^= 1
    expect(() => decompressSync('lz4', badContent)).toThrow(/lz4/)
    const badHeader = Buffer.from(frame)
    badHeader[14]! ^= 1
    expect(() => decompressSync('lz4', badHeader)).toThrow(/descriptor checksum/)
  })

  it('accepts the wrong header checksum of pre-0.10 Kafka clients only when asked', () => {
    const frame = Buffer.from(compressSync('lz4', mixed))
    // old clients hashed from the magic number instead of from the flags byte
    frame[6] = (xxhash32(frame.subarray(0, 6)) >>> 8) & 0xff
    expect(() => decompressSync('lz4', frame)).toThrow(DecodeError)
    expect(lz4Decompress(frame, 10_000_000, { legacyHeaderChecksum: true }).equals(mixed)).toBe(true)
  })

  it('writes frames the Java client reads: version 1, independent blocks, no dictionary', () => {
    const frame = compressSync('lz4', mixed)
    expect(frame.readUInt32LE(0)).toBe(0x184d2204)
    expect(frame[4]! >> 6).toBe(1)
    expect(frame[4]! & 0x20).toBe(0x20)
    expect(frame[4]! & 0x01).toBe(0)
    expect((frame[5]! >> 4) & 7).toBeGreaterThanOrEqual(4)
    expect(frame[6]).toBe((xxhash32(frame.subarray(4, 6)) >>> 8) & 0xff)
  })

  it.skipIf(!hasTool('lz4'))('writes frames the reference lz4 tool decompresses', () => {
    const out = execFileSync('lz4', ['-d', '-c'], { input: compressSync('lz4', mixed), maxBuffer: 1 << 24 })
    expect(out.equals(mixed)).toBe(true)
  })
})

describe('zstd frames', () => {
  it('reads a streamed frame without a content size, larger than the first output guess', () => {
    expect(decompressSync('zstd', Buffer.from(ZSTD_STREAMED, 'base64')).equals(zstdStreamedContent())).toBe(true)
    expect(() => decompressSync('zstd', Buffer.from(ZSTD_STREAMED, 'base64'), { maxDecompressedSize: 2_000_000 })).toThrow(/limit/)
  })

  it.skipIf(!hasTool('zstd'))('writes frames the reference zstd tool decompresses', () => {
    const out = execFileSync('zstd', ['-d', '-c', '-q'], { input: compressSync('zstd', mixed), maxBuffer: 1 << 24 })
    expect(out.equals(mixed)).toBe(true)
  })

  it('honours the level option', () => {
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => 'the quick brown fox '.charCodeAt(i % 20) + (i % 7)))
    expect(compressSync('zstd', data, { level: 19 }).length).toBeLessThanOrEqual(compressSync('zstd', data, { level: 1 }).length)
    expect(compressSync('gzip', data, { level: 9 }).length).toBeLessThanOrEqual(compressSync('gzip', data, { level: 1 }).length)
  })
})

describe('gzip', () => {
  it('reads multi-member streams and zlib-wrapped deflate', () => {
    const twoMembers = Buffer.concat([gzipSync(Buffer.from('first ')), gzipSync(Buffer.from('second'))])
    expect(decompressSync('gzip', twoMembers).toString()).toBe('first second')
  })
})

describe('unknown codecs', () => {
  it('throws a KafkaError', () => {
    expect(() => compressSync('brotli' as CompressionCodec, mixed)).toThrow(KafkaError)
  })
})

describe('xxhash32', () => {
  it('matches the reference values', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05)
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff)
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
  })
})

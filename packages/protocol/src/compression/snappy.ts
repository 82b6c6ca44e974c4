import { corruptInput, tooLarge } from './errors.js'
import { runWasm } from './wasm-codecs.js'

/**
 * Snappy as Kafka uses it. Producers such as librdkafka and kafkajs's codecs write one raw snappy
 * block; the Java client writes the xerial framing (a 16-byte header, then chunks each prefixed by an
 * int32 length). We write raw and read both.
 */

/** The 8 magic bytes that open a xerial-framed stream, followed by two int32 version numbers. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16

/**
 * Whether `data` starts with the xerial header the Java client writes before snappy chunks.
 *
 * @example
 * ```ts
 * isXerialFramed(compressSync('snappy', data)) // false: we write raw snappy
 * ```
 */
export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false
  return true
}

/** The uncompressed length a raw snappy block declares in its varint preamble, or -1 if malformed. */
function declaredLength(data: Uint8Array, start: number, end: number): number {
  let value = 0
  for (let i = 0; i < 5 && start + i < end; i++) {
    const byte = data[start + i]!
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value
  }
  return -1
}

/** Compresses to one raw snappy block, leaving `reserveFront` bytes free at the start of the result. */
export function snappyCompress(data: Uint8Array, reserveFront = 0): Buffer {
  return runWasm('snappy_compress', data, reserveFront)
}

function rawBlock(data: Uint8Array, expected: number): Buffer {
  let out: Buffer
  try {
    out = runWasm('snappy_decompress', data)
  } catch (err) {
    throw corruptInput('snappy', 'the block does not decompress', err)
  }
  if (out.length !== expected) throw corruptInput('snappy', `the block declares ${expected} bytes but holds ${out.length}`)
  return out
}

/** Decompresses a raw snappy block or a xerial-framed stream, refusing output over `max` bytes. */
export function snappyDecompress(data: Uint8Array, max: number): Buffer {
  if (!isXerialFramed(data)) {
    const expected = declaredLength(data, 0, data.length)
    if (expected < 0) throw corruptInput('snappy', 'the length preamble is malformed')
    if (expected > max) throw tooLarge('snappy', expected, max)
    return rawBlock(data, expected)
  }
  const view = Buffer.from(data.buffer, data.byteOffset, data.length)
  const chunks: [start: number, end: number, size: number][] = []
  let total = 0
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length; ) {
    if (pos + 4 > data.length) throw corruptInput('snappy', `xerial chunk length truncated at byte ${pos}`)
    const len = view.readInt32BE(pos)
    const start = pos + 4
    if (len < 0 || start + len > data.length) throw corruptInput('snappy', `xerial chunk at byte ${pos} declares ${len} bytes but ${data.length - start} remain`)
    const size = declaredLength(data, start, start + len)
    if (size < 0) throw corruptInput('snappy', `the length preamble of the xerial chunk at byte ${pos} is malformed`)
    total += size
    if (total > max) throw tooLarge('snappy', `at least ${total}`, max)
    chunks.push([start, start + len, size])
    pos = start + len
  }
  const out = Buffer.allocUnsafe(total)
  let at = 0
  for (const [start, end, size] of chunks) {
    out.set(rawBlock(view.subarray(start, end), size), at)
    at += size
  }
  return out
}

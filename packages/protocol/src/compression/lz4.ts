import { corruptInput, tooLarge } from './errors.js'
import { runWasm } from './wasm-codecs.js'
import { xxhash32 } from './xxhash32.js'

/**
 * LZ4 as Kafka uses it since message format v1: the LZ4 frame format (magic 0x184D2204, a frame
 * descriptor, blocks, an end mark, optional checksums). We write frames with independent blocks and
 * no checksums, which every Kafka client reads (the Java client cannot read linked blocks); we read
 * any standard frame, with or without block, content or size fields.
 *
 * Before handing a frame to the decompressor we walk its structure: a malformed frame is reported
 * here with a precise message, and the sum of what each block can expand to bounds the output, so a
 * decompression bomb is refused before any memory is allocated for it.
 */

const FRAME_MAGIC = 0x184d2204
const BLOCK_UNCOMPRESSED = 0x80000000
/** An LZ4 sequence turns n input bytes into at most about 255 n output bytes. */
const MAX_BLOCK_RATIO = 256

/** Compresses to one LZ4 frame, leaving `reserveFront` bytes free at the start of the result. */
export function lz4Compress(data: Uint8Array, reserveFront = 0): Buffer {
  return runWasm('lz4_compress', data, reserveFront)
}

export interface Lz4DecompressOptions {
  /**
   * Accept a wrong header checksum (and correct it before decoding). Kafka clients before 0.10
   * computed it over the wrong bytes, so Kafka accepts it for magic 0 messages; nothing else should.
   */
  legacyHeaderChecksum?: boolean
}

interface FrameLayout {
  /** Bytes the frame occupies (input after it is ignored, as Kafka's reader does). */
  end: number
  /** An upper bound on the decompressed size. */
  bound: number
  /** The position of the header checksum byte and the value it should have. */
  hcAt: number
  hc: number
}

function walkFrame(data: Uint8Array, max: number): FrameLayout {
  const view = Buffer.from(data.buffer, data.byteOffset, data.length)
  if (data.length < 7) throw corruptInput('lz4', `a frame needs at least 7 bytes, got ${data.length}`)
  if (view.readUInt32LE(0) !== FRAME_MAGIC) throw corruptInput('lz4', `bad frame magic 0x${view.readUInt32LE(0).toString(16)}`)
  const flg = data[4]!
  const bd = data[5]!
  if (flg >> 6 !== 1) throw corruptInput('lz4', `unsupported frame version ${flg >> 6}`)
  if (flg & 0x02 || bd & 0x8f) throw corruptInput('lz4', 'reserved descriptor bits are set')
  const blockSizeId = (bd >> 4) & 0x07
  if (blockSizeId < 4) throw corruptInput('lz4', `invalid block size id ${blockSizeId}`)
  const blockMax = 1 << (2 * blockSizeId + 8)
  const blockChecksum = (flg & 0x10) !== 0
  const hasContentSize = (flg & 0x08) !== 0
  const contentChecksum = (flg & 0x04) !== 0
  const hasDictId = (flg & 0x01) !== 0
  const hcAt = 6 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0)
  if (data.length < hcAt + 1) throw corruptInput('lz4', 'the frame descriptor is truncated')
  const hc = (xxhash32(data.subarray(4, hcAt)) >>> 8) & 0xff
  let bound = 0
  if (hasContentSize) {
    const size = view.readBigUInt64LE(6)
    if (size > BigInt(max)) throw tooLarge('lz4', size.toString(), max)
  }
  let pos = hcAt + 1
  for (;;) {
    if (pos + 4 > data.length) throw corruptInput('lz4', `block header truncated at byte ${pos}`)
    const word = view.readUInt32LE(pos)
    pos += 4
    if (word === 0) break
    const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0
    if (size > blockMax) throw corruptInput('lz4', `block at byte ${pos - 4} declares ${size} bytes, more than the ${blockMax}-byte maximum`)
    bound += word & BLOCK_UNCOMPRESSED ? size : Math.min(blockMax, size * MAX_BLOCK_RATIO)
    if (bound > max) throw tooLarge('lz4', `up to ${bound}`, max)
    pos += size + (blockChecksum ? 4 : 0)
    if (pos > data.length) throw corruptInput('lz4', 'a block runs past the end of the data')
  }
  if (contentChecksum) pos += 4
  if (pos > data.length) throw corruptInput('lz4', 'the content checksum is missing')
  return { end: pos, bound, hcAt, hc }
}

/** Decompresses one LZ4 frame, refusing output over `max` bytes. */
export function lz4Decompress(data: Uint8Array, max: number, options: Lz4DecompressOptions = {}): Buffer {
  const frame = walkFrame(data, max)
  let input = data.subarray(0, frame.end)
  if (input[frame.hcAt] !== frame.hc) {
    if (!options.legacyHeaderChecksum) throw corruptInput('lz4', 'the frame descriptor checksum does not match')
    input = Buffer.from(input)
    input[frame.hcAt] = frame.hc
  }
  let out: Buffer
  try {
    out = runWasm('lz4_decompress', input)
  } catch (err) {
    throw corruptInput('lz4', 'a block does not decompress or a checksum does not match', err)
  }
  if (out.length > max) throw tooLarge('lz4', out.length, max)
  return out
}

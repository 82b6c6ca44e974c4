import { compress as wasmCompress, decompress as wasmDecompress, init as wasmInit } from '@bokuweb/zstd-wasm'
import { KafkaError } from '../errors/kafka-error.js'
import { corruptInput, tooLarge } from './errors.js'

/**
 * zstd through @bokuweb/zstd-wasm (node:zlib has zstd only from Node 22.15). Its WebAssembly module
 * loads asynchronously, once: `await zstdReady()` (or `compressionReady()`) before the synchronous
 * functions. Kafka producers write one zstd frame, often without the content size (the Java client
 * streams), so for those we grow the output buffer until the frame fits or the limit is reached.
 */

export const ZSTD_DEFAULT_LEVEL = 3

const FRAME_MAGIC = 0xfd2fb528
/** zstd's error code for "destination buffer too small" (returned negated). */
const DST_SIZE_TOO_SMALL = -70

let loading: Promise<void> | undefined
let ready = false

/**
 * Loads the zstd WebAssembly module; safe to call many times.
 *
 * @example
 * ```ts
 * await zstdReady()
 * const packed = zstdCompress(data)
 * ```
 */
export function zstdReady(): Promise<void> {
  loading ??= wasmInit().then(
    () => {
      ready = true
    },
    (err: unknown) => {
      loading = undefined
      throw new KafkaError('The zstd WebAssembly module failed to load', { code: 'COMPRESSION_UNAVAILABLE', cause: err })
    },
  )
  return loading
}

/**
 * Whether zstd has been loaded (by `compressionReady()`), so the synchronous zstd functions can run.
 *
 * @example
 * ```ts
 * if (!isZstdReady()) await compressionReady()
 * ```
 */
export function isZstdReady(): boolean {
  return ready
}

function assertReady(): void {
  if (!ready) {
    throw new KafkaError('zstd is not loaded yet: call `await compressionReady()` once at start-up before using zstd synchronously', {
      code: 'COMPRESSION_NOT_READY',
    })
  }
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)
}

/** Compresses to one zstd frame (with the content size). */
export function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Buffer {
  assertReady()
  return asBuffer(wasmCompress(data, level))
}

/**
 * The Frame_Content_Size of the first frame, `undefined` when the frame does not record it.
 * @throws DecodeError when the data does not start with a zstd frame header.
 */
function frameContentSize(data: Uint8Array): number | undefined {
  const view = Buffer.from(data.buffer, data.byteOffset, data.length)
  if (data.length < 6 || view.readUInt32LE(0) !== FRAME_MAGIC) throw corruptInput('zstd', 'the data does not start with a zstd frame')
  const fhd = data[4]!
  if (fhd & 0x08) throw corruptInput('zstd', 'a reserved frame header bit is set')
  const fcsFlag = fhd >> 6
  const singleSegment = (fhd & 0x20) !== 0
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 0x03]!
  if (fcsSize === 0) return undefined
  if (data.length < at + fcsSize) throw corruptInput('zstd', 'the frame header is truncated')
  switch (fcsSize) {
    case 1:
      return data[at]!
    case 2:
      return view.readUInt16LE(at) + 256
    case 4:
      return view.readUInt32LE(at)
    default:
      return Number(view.readBigUInt64LE(at))
  }
}

function errorCode(err: unknown): number {
  const match = /code (-?\d+)/.exec(err instanceof Error ? err.message : '')
  return match ? Number(match[1]) : 0
}

/** Decompresses zstd data, refusing output over `max` bytes. */
export function zstdDecompress(data: Uint8Array, max: number): Buffer {
  assertReady()
  const declared = frameContentSize(data)
  if (declared !== undefined) {
    if (declared > max) throw tooLarge('zstd', declared, max)
    try {
      return asBuffer(wasmDecompress(data))
    } catch (err) {
      throw corruptInput('zstd', 'the frame does not decompress (a single frame holding its declared size is expected)', err)
    }
  }
  let capacity = Math.min(max, Math.max(64 * 1024, data.length * 8))
  for (;;) {
    try {
      return asBuffer(wasmDecompress(data, { defaultHeapSize: capacity }))
    } catch (err) {
      if (errorCode(err) !== DST_SIZE_TOO_SMALL) throw corruptInput('zstd', 'the frame does not decompress', err)
      if (capacity >= max) throw tooLarge('zstd', `more than ${max}`, max)
      capacity = Math.min(max, capacity * 4)
    }
  }
}

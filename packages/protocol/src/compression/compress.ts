import { EncodeError } from '../errors/kafka-error.js'
import { type CompressionCodec, type CompressOptions, type DecompressOptions, DEFAULT_MAX_DECOMPRESSED_SIZE } from './codec.js'
import { gzipCompress, gzipCompressAsync, gzipDecompress, gzipDecompressAsync } from './gzip.js'
import { lz4Compress, lz4Decompress } from './lz4.js'
import { snappyCompress, snappyDecompress } from './snappy.js'
import { zstdCompress, zstdDecompress, zstdReady } from './zstd.js'

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

function unknownCodec(codec: never): never {
  throw new EncodeError(`Unknown compression codec ${JSON.stringify(codec)}: use none, gzip, snappy, lz4 or zstd`)
}

/**
 * Loads what the codecs need before first use (today only zstd's WebAssembly module). Call it once at
 * start-up to use zstd with the synchronous functions; the async ones call it themselves.
 *
 * @example
 * ```ts
 * await compressionReady()
 * const batch = encodeRecordBatch({ compression: 'zstd', records })
 * ```
 */
export function compressionReady(): Promise<void> {
  return zstdReady()
}

/**
 * Compresses `data` with `codec`, leaving `reserveFront` bytes free at the start of the result for a
 * header (snappy and lz4 write straight after them; gzip and zstd need one extra copy).
 * @internal The record batch encoder uses this; others use {@link compressSync}.
 */
export function compressWithReserve(codec: CompressionCodec, data: Uint8Array, options: CompressOptions | undefined, reserveFront: number): Buffer {
  switch (codec) {
    case 'snappy':
      return snappyCompress(data, reserveFront)
    case 'lz4':
      return lz4Compress(data, reserveFront)
    case 'none':
    case 'gzip':
    case 'zstd': {
      const packed = compressSync(codec, data, options)
      const out = Buffer.allocUnsafe(reserveFront + packed.length)
      out.set(packed, reserveFront)
      return out
    }
    default:
      return unknownCodec(codec)
  }
}

/**
 * Compresses `data` synchronously. zstd needs `await compressionReady()` first.
 *
 * @example
 * ```ts
 * const packed = compressSync('lz4', recordsBytes)
 * ```
 */
export function compressSync(codec: CompressionCodec, data: Uint8Array, options: CompressOptions = {}): Buffer {
  switch (codec) {
    case 'none':
      return asBuffer(data)
    case 'gzip':
      return gzipCompress(data, options.level)
    case 'snappy':
      return snappyCompress(data)
    case 'lz4':
      return lz4Compress(data)
    case 'zstd':
      return zstdCompress(data, options.level)
    default:
      return unknownCodec(codec)
  }
}

/**
 * Compresses `data`; gzip runs on the libuv thread pool, zstd is loaded on first use.
 *
 * @example
 * ```ts
 * const packed = await compress('zstd', recordsBytes, { level: 6 })
 * ```
 */
export async function compress(codec: CompressionCodec, data: Uint8Array, options: CompressOptions = {}): Promise<Buffer> {
  if (codec === 'gzip') return gzipCompressAsync(data, options.level)
  if (codec === 'zstd') await zstdReady()
  return compressSync(codec, data, options)
}

/**
 * Decompresses `data` synchronously. Snappy input may be raw or xerial-framed. Output larger than
 * `maxDecompressedSize` (default 128 MiB) is refused. zstd needs `await compressionReady()` first.
 *
 * @throws DecodeError naming the codec when the input is corrupt or would decompress past the limit.
 * @example
 * ```ts
 * const records = decompressSync('snappy', body, { maxDecompressedSize: 16 * 1024 * 1024 })
 * ```
 */
export function decompressSync(codec: CompressionCodec, data: Uint8Array, options: DecompressOptions = {}): Buffer {
  const max = options.maxDecompressedSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE
  switch (codec) {
    case 'none':
      return asBuffer(data)
    case 'gzip':
      return gzipDecompress(data, max)
    case 'snappy':
      return snappyDecompress(data, max)
    case 'lz4':
      return lz4Decompress(data, max)
    case 'zstd':
      return zstdDecompress(data, max)
    default:
      return unknownCodec(codec)
  }
}

/**
 * Decompresses `data`; gzip runs on the libuv thread pool, zstd is loaded on first use.
 *
 * @example
 * ```ts
 * const records = await decompress('gzip', body)
 * ```
 */
export async function decompress(codec: CompressionCodec, data: Uint8Array, options: DecompressOptions = {}): Promise<Buffer> {
  if (codec === 'gzip') return gzipDecompressAsync(data, options.maxDecompressedSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE)
  if (codec === 'zstd') await zstdReady()
  return decompressSync(codec, data, options)
}

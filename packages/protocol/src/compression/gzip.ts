import { promisify } from 'node:util'
import { gzip, gzipSync, unzip, unzipSync } from 'node:zlib'
import { corruptInput, tooLarge } from './errors.js'

/** gzip through node:zlib. Decompression also accepts zlib-wrapped deflate, as Kafka clients do. */

const gzipAsync = promisify(gzip)
const unzipAsync = promisify(unzip)

/** Level 6 is zlib's and Kafka's default. */
export const GZIP_DEFAULT_LEVEL = 6

/** Compresses to a gzip stream. */
export function gzipCompress(data: Uint8Array, level = GZIP_DEFAULT_LEVEL): Buffer {
  return gzipSync(data, { level })
}

/** Compresses to a gzip stream on the libuv thread pool. */
export function gzipCompressAsync(data: Uint8Array, level = GZIP_DEFAULT_LEVEL): Promise<Buffer> {
  return gzipAsync(data, { level })
}

function translate(err: unknown, max: number): Error {
  if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge('gzip', `more than ${max}`, max)
  return corruptInput('gzip', 'the stream does not inflate', err)
}

/** Decompresses a gzip (or zlib) stream, stopping with an error once output would pass `max` bytes. */
export function gzipDecompress(data: Uint8Array, max: number): Buffer {
  try {
    return unzipSync(data, { maxOutputLength: Math.max(1, max) })
  } catch (err) {
    throw translate(err, max)
  }
}

/** {@link gzipDecompress} on the libuv thread pool. */
export async function gzipDecompressAsync(data: Uint8Array, max: number): Promise<Buffer> {
  try {
    return await unzipAsync(data, { maxOutputLength: Math.max(1, max) })
  } catch (err) {
    throw translate(err, max)
  }
}

import { DecodeError } from '../errors/kafka-error.js'
import type { CompressionCodec } from './codec.js'

/** A DecodeError naming the codec, for compressed input that cannot be decompressed. */
export function corruptInput(codec: CompressionCodec, detail: string, cause?: unknown): DecodeError {
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new DecodeError(`Corrupt ${codec} data: ${detail}${reason}`, cause)
}

/** A DecodeError for output that would exceed the decompression limit. */
export function tooLarge(codec: CompressionCodec, size: number | string, max: number): DecodeError {
  return new DecodeError(
    `Refusing to decompress ${codec} data to ${size} bytes: the limit is ${max} bytes (raise maxDecompressedSize if this batch is legitimate)`,
  )
}

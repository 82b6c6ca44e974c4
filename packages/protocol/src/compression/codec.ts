import { DecodeError } from '../errors/kafka-error.js'

/** A Kafka compression codec, named as in the `compression.type` producer config. */
export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Every codec, in attribute-id order: `COMPRESSION_CODECS[id]` is the codec with that id. */
export const COMPRESSION_CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

/** The id each codec has in bits 0-2 of a batch's (or legacy message's) attributes. */
export const COMPRESSION_CODEC_IDS: Readonly<Record<CompressionCodec, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

/**
 * The codec with the given attribute id.
 *
 * @throws DecodeError for ids 5 to 7, which Kafka does not define.
 * @example
 * ```ts
 * compressionCodecFromId(header.attributes & 0x07) // 'lz4' for 3
 * ```
 */
export function compressionCodecFromId(id: number): CompressionCodec {
  const codec = COMPRESSION_CODECS[id]
  if (codec === undefined) throw new DecodeError(`Unknown compression codec id ${id}: Kafka defines 0 (none) to 4 (zstd)`)
  return codec
}

/** Decompression limits. */
export interface DecompressOptions {
  /**
   * The largest decompressed size accepted, in bytes; larger output is refused with a
   * {@link DecodeError} before (or, for gzip, while) it is produced, so a small hostile input cannot
   * make the process allocate gigabytes. Default {@link DEFAULT_MAX_DECOMPRESSED_SIZE}.
   */
  maxDecompressedSize?: number
}

/** Compression settings. */
export interface CompressOptions {
  /** Compression level for gzip (1-9, default 6) and zstd (1-22, default 3); lz4 and snappy have none. */
  level?: number
}

/** 128 MiB: far above Kafka's default 1 MiB batches yet small enough to refuse decompression bombs. */
export const DEFAULT_MAX_DECOMPRESSED_SIZE = 128 * 1024 * 1024

export {
  COMPRESSION_CODECS,
  COMPRESSION_CODEC_IDS,
  DEFAULT_MAX_DECOMPRESSED_SIZE,
  compressionCodecFromId,
  type CompressionCodec,
  type CompressOptions,
  type DecompressOptions,
} from './codec.js'
export { compress, compressSync, decompress, decompressSync, compressionReady } from './compress.js'
export { isZstdReady } from './zstd.js'
export { isXerialFramed } from './snappy.js'

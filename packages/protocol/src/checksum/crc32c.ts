import { loadNativeCrc } from './native.js'
import { crc32cJs, crc32Js } from './slice-by-8.js'

const native = loadNativeCrc()

/** Which implementation {@link crc32c} and {@link crc32} use: `'native'` or the `'js'` fallback. */
export const crcImplementation: 'native' | 'js' = native ? 'native' : 'js'

/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2, as an unsigned 32-bit number.
 *
 * @example
 * ```ts
 * crc32c(Buffer.from('123456789')) // 0xe3069283
 * ```
 */
export const crc32c: (data: Uint8Array) => number = native ? (data) => native.crc32c(data) : crc32cJs

/**
 * CRC-32 (IEEE, as zlib and Java's `java.util.zip.CRC32`), the checksum of legacy v0/v1 messages,
 * as an unsigned 32-bit number.
 *
 * @example
 * ```ts
 * crc32(Buffer.from('123456789')) // 0xcbf43926
 * ```
 */
export const crc32: (data: Uint8Array) => number = native ? (data) => native.crc32(data) : crc32Js

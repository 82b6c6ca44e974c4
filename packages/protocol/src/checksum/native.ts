import { createRequire } from 'node:module'

/** The checksum functions of the native binding, or undefined when it cannot be loaded here. */
export interface NativeCrc {
  crc32(input: Uint8Array): number
  crc32c(input: Uint8Array): number
}

declare const __filename: string | undefined

/**
 * Loads `@node-rs/crc32` (a prebuilt native addon) without letting a missing binary break the import
 * of this package: the caller falls back to plain JavaScript when this returns undefined.
 */
export function loadNativeCrc(): NativeCrc | undefined {
  try {
    const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
    const native = require('@node-rs/crc32') as NativeCrc
    if (native.crc32c(Buffer.from('123456789')) !== 0xe3069283) return undefined
    return native
  } catch {
    return undefined
  }
}

/**
 * Table-driven CRC-32 in plain JavaScript, processing eight bytes per step ("slice-by-8").
 *
 * Used only when the native implementation cannot be loaded (an unsupported platform or a missing
 * prebuilt binary); it is several times slower but gives identical results.
 */

/** The eight 256-entry lookup tables for a reflected CRC-32 polynomial. */
function makeTables(reflectedPolynomial: number): Int32Array {
  const t = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8)
      t[k * 256 + n] = c
    }
  }
  return t
}

/** A CRC-32 function for the given reflected polynomial, returning the unsigned 32-bit checksum. */
export function sliceBy8(reflectedPolynomial: number): (data: Uint8Array) => number {
  const t = makeTables(reflectedPolynomial)
  return (data: Uint8Array): number => {
    let crc = -1
    let i = 0
    const n = data.length
    const end8 = n - (n & 7)
    for (; i < end8; i += 8) {
      const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
      const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)
      crc =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + (b & 0xff)]! ^
        t[512 + ((b >>> 8) & 0xff)]! ^
        t[256 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!
    }
    for (; i < n; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
    return ~crc >>> 0
  }
}

/** CRC-32C (Castagnoli) in plain JavaScript. */
export const crc32cJs = sliceBy8(0x82f63b78)

/** CRC-32 (IEEE 802.3, as zlib) in plain JavaScript. */
export const crc32Js = sliceBy8(0xedb88320)

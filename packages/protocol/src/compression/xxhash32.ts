/**
 * xxHash32 (seed 0 by default), used by the LZ4 frame format for its header checksum. Our inputs are
 * a few bytes long, so this favours brevity over speed.
 */
const P1 = 0x9e3779b1
const P2 = 0x85ebca77
const P3 = 0xc2b2ae3d
const P4 = 0x27d4eb2f
const P5 = 0x165667b1

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r))
const u32le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)
const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1)

/** The unsigned 32-bit xxHash32 of `data`. */
export function xxhash32(data: Uint8Array, seed = 0): number {
  const n = data.length
  let i = 0
  let h: number
  if (n >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    for (; i + 16 <= n; i += 16) {
      v1 = round(v1, u32le(data, i))
      v2 = round(v2, u32le(data, i + 4))
      v3 = round(v3, u32le(data, i + 8))
      v4 = round(v4, u32le(data, i + 12))
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = (seed + P5) | 0
  }
  h = (h + n) | 0
  for (; i + 4 <= n; i += 4) h = Math.imul(rotl((h + Math.imul(u32le(data, i), P3)) | 0, 17), P4)
  for (; i < n; i++) h = Math.imul(rotl((h + Math.imul(data[i]!, P5)) | 0, 11), P1)
  h ^= h >>> 15
  h = Math.imul(h, P2)
  h ^= h >>> 13
  h = Math.imul(h, P3)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Zig-zag varints over plain numbers for the record encoder: 32-bit values (`varint`) and varlongs
 * limited to safe integers (`varlong`), so the per-record loop never touches bigint.
 */

/** Bytes a zig-zag varint of the int32 `v` takes. */
export function sizeOfVarint(v: number): number {
  const u = ((v << 1) ^ (v >> 31)) >>> 0
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5
}

/** Bytes a zig-zag varlong of the safe integer `v` takes. */
export function sizeOfVarlong(v: number): number {
  if ((v | 0) === v) return sizeOfVarint(v)
  let u = v >= 0 ? v * 2 : -v * 2 - 1
  let n = 1
  while (u >= 0x80) {
    u = Math.floor(u / 0x80)
    n++
  }
  return n
}

/** Writes the int32 `v` as a zig-zag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80
    u >>>= 7
  }
  buf[pos++] = u
  return pos
}

/** Writes the safe integer `v` as a zig-zag varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if ((v | 0) === v) return writeVarint(buf, pos, v)
  let u = v >= 0 ? v * 2 : -v * 2 - 1
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80
    u = Math.floor(u / 0x80)
  }
  buf[pos++] = u
  return pos
}

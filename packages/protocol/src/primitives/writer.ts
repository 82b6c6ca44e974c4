import { EncodeError } from '../errors/kafka-error.js'
import type { UnknownTaggedField } from './reader.js'
import { writeUuid } from './uuid.js'

/**
 * A growable buffer for Kafka wire data. It doubles when full, so a writer reused for many messages
 * stops allocating once it reaches its working size.
 *
 * @example
 * ```ts
 * const w = new Writer()
 * const sizeAt = w.reserve(4)
 * w.int16(3).int16(12).int32(correlationId)
 * w.patchInt32(sizeAt, w.offset - 4)
 * socket.write(w.toBuffer())
 * ```
 */
export class Writer {
  buf: Buffer
  offset = 0

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const needed = this.offset + n
    if (needed <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < needed) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.offset)
    this.buf = next
  }

  /** Skips `n` bytes to be filled in later (for example a size prefix) and returns where they start. */
  reserve(n: number): number {
    this.ensure(n)
    const at = this.offset
    this.offset += n
    return at
  }

  patchInt32(at: number, value: number): void {
    this.buf.writeInt32BE(value, at)
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset))
  }

  /** A view of what was written; valid until the writer is written to again. */
  view(): Buffer {
    return this.buf.subarray(0, this.offset)
  }

  /** Starts over, keeping the allocated memory. */
  reset(): this {
    this.offset = 0
    return this
  }

  int8(v: number): this {
    this.ensure(1)
    this.buf.writeInt8(v, this.offset)
    this.offset += 1
    return this
  }

  uint8(v: number): this {
    this.ensure(1)
    this.buf[this.offset++] = v
    return this
  }

  bool(v: boolean): this {
    return this.uint8(v ? 1 : 0)
  }

  // int16 and int32 are the most frequent writes of generated encoders, so they store the bytes
  // inline after one range check.
  int16(v: number): this {
    if ((v << 16) >> 16 !== v) throw new EncodeError(`${v} is not an int16 (an integer from -32768 to 32767)`)
    if (this.offset + 2 > this.buf.length) this.ensure(2)
    const b = this.buf
    const o = this.offset
    b[o] = v >> 8
    b[o + 1] = v
    this.offset = o + 2
    return this
  }

  uint16(v: number): this {
    this.ensure(2)
    this.buf.writeUInt16BE(v, this.offset)
    this.offset += 2
    return this
  }

  int32(v: number): this {
    if ((v | 0) !== v) throw new EncodeError(`${v} is not an int32 (an integer from -2147483648 to 2147483647)`)
    if (this.offset + 4 > this.buf.length) this.ensure(4)
    const b = this.buf
    const o = this.offset
    b[o] = v >> 24
    b[o + 1] = v >> 16
    b[o + 2] = v >> 8
    b[o + 3] = v
    this.offset = o + 4
    return this
  }

  uint32(v: number): this {
    this.ensure(4)
    this.buf.writeUInt32BE(v, this.offset)
    this.offset += 4
    return this
  }

  int64(v: bigint): this {
    this.ensure(8)
    this.buf.writeBigInt64BE(v, this.offset)
    this.offset += 8
    return this
  }

  float64(v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.offset)
    this.offset += 8
    return this
  }

  uuid(v: string): this {
    this.ensure(16)
    writeUuid(this.buf, this.offset, v)
    this.offset += 16
    return this
  }

  /** An unsigned LEB128 varint (0 to 2^32 - 1). */
  uvarint(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff) || !Number.isInteger(v)) throw new EncodeError(`${v} cannot be written as an unsigned varint (0 to 4294967295)`)
    this.ensure(5)
    while (v >= 0x80) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.offset++] = v
    return this
  }

  /** A zig-zag signed varint (a 32-bit integer). */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0)
  }

  /** A zig-zag signed varlong (a 64-bit integer). */
  varlong(v: bigint): this {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
    this.ensure(10)
    while (u >= 0x80n) {
      this.buf[this.offset++] = Number(u & 0x7fn) | 0x80
      u >>= 7n
    }
    this.buf[this.offset++] = Number(u)
    return this
  }

  /** Raw bytes with no length prefix. */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.offset)
    this.offset += bytes.length
    return this
  }

  private text(v: string, compact: boolean): this {
    const n = Buffer.byteLength(v, 'utf8')
    if (compact) this.uvarint(n + 1)
    else {
      if (n > 0x7fff) throw new EncodeError(`A string of ${n} bytes is longer than the 32767 bytes a STRING field holds`)
      this.int16(n)
    }
    this.ensure(n)
    this.offset += this.buf.write(v, this.offset, n, 'utf8')
    return this
  }

  string(v: string): this {
    if (v === null || v === undefined) throw new EncodeError('A non-nullable string field was given null')
    return this.text(v, false)
  }

  nullableString(v: string | null | undefined): this {
    return v == null ? this.int16(-1) : this.text(v, false)
  }

  compactString(v: string): this {
    if (v === null || v === undefined) throw new EncodeError('A non-nullable string field was given null')
    return this.text(v, true)
  }

  compactNullableString(v: string | null | undefined): this {
    return v == null ? this.uint8(0) : this.text(v, true)
  }

  bytes(v: Uint8Array): this {
    if (v === null || v === undefined) throw new EncodeError('A non-nullable bytes field was given null')
    return this.int32(v.length).raw(v)
  }

  nullableBytes(v: Uint8Array | null | undefined): this {
    return v == null ? this.int32(-1) : this.int32(v.length).raw(v)
  }

  compactBytes(v: Uint8Array): this {
    if (v === null || v === undefined) throw new EncodeError('A non-nullable bytes field was given null')
    return this.uvarint(v.length + 1).raw(v)
  }

  compactNullableBytes(v: Uint8Array | null | undefined): this {
    return v == null ? this.uint8(0) : this.uvarint(v.length + 1).raw(v)
  }

  /** An ARRAY length (int32, -1 for null). */
  arrayLength(n: number | null): this {
    return this.int32(n === null ? -1 : n)
  }

  /** A COMPACT_ARRAY length (unsigned varint of n + 1, 0 for null). */
  compactArrayLength(n: number | null): this {
    return this.uvarint(n === null ? 0 : n + 1)
  }

  /**
   * Writes a tagged-field section: the known fields (already encoded, sorted by tag) merged with
   * unknown ones carried over from decoding, in ascending tag order.
   */
  taggedFields(known: UnknownTaggedField[] | undefined, unknown: UnknownTaggedField[] | undefined): this {
    const all = !unknown?.length ? (known ?? []) : !known?.length ? unknown : [...known, ...unknown].sort((a, b) => a.tag - b.tag)
    this.uvarint(all.length)
    for (const f of all) this.uvarint(f.tag).uvarint(f.data.length).raw(f.data)
    return this
  }

  /** A tagged-field section holding only fields carried over from decoding (often none: one zero byte). */
  unknownTaggedFields(unknown: readonly UnknownTaggedField[] | undefined): this {
    if (unknown === undefined || unknown.length === 0) return this.uint8(0)
    this.uvarint(unknown.length)
    this.rawTaggedFields(unknown, 0)
    return this
  }

  /**
   * Writes carried-over tagged fields from index `from` whose tags are below `beforeTag`, and returns the
   * index of the first one not written. Generated encoders call it before each known tagged field so
   * the section stays in ascending tag order. Throws if the fields are out of order or one has the tag
   * of the known field about to be written.
   */
  rawTaggedFields(unknown: readonly UnknownTaggedField[] | undefined, from: number, beforeTag = Infinity): number {
    if (unknown === undefined) return from
    let i = from
    for (; i < unknown.length && unknown[i]!.tag < beforeTag; i++) {
      const f = unknown[i]!
      if (i > 0 && unknown[i - 1]!.tag >= f.tag) throw new EncodeError(`Unknown tagged fields must be in ascending tag order: tag ${f.tag} follows tag ${unknown[i - 1]!.tag}`)
      this.uvarint(f.tag).uvarint(f.data.length).raw(f.data)
    }
    if (i < unknown.length && unknown[i]!.tag === beforeTag) throw new EncodeError(`Unknown tagged field ${beforeTag} has the tag of a known field`)
    return i
  }

  /** Starts a known tagged field: writes its tag and reserves its size. Pass the result to {@link endTaggedField}. */
  beginTaggedField(tag: number): number {
    this.uvarint(tag)
    return this.reserve(1)
  }

  /** Ends a tagged field started at `at`, writing its size as an unsigned varint (moving the value if it needs more than one byte). */
  endTaggedField(at: number): this {
    const size = this.offset - at - 1
    if (size < 0x80) {
      this.buf[at] = size
      return this
    }
    let extra = 0
    for (let s = size >> 7; s > 0; s >>>= 7) extra++
    this.ensure(extra)
    this.buf.copy(this.buf, at + 1 + extra, at + 1, this.offset)
    this.offset += extra
    let v = size
    let p = at
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buf[p] = v
    return this
  }
}

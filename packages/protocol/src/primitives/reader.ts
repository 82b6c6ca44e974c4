import { DecodeError } from '../errors/kafka-error.js'
import { readUuid } from './uuid.js'

/** A tagged field the decoder did not recognise, kept so that it survives a round trip. */
export interface UnknownTaggedField {
  tag: number
  data: Buffer
}

/**
 * A bounds-checked cursor over a buffer holding Kafka wire data.
 *
 * Every read checks that the bytes exist and throws {@link DecodeError} otherwise; lengths read from
 * the wire are checked against the bytes that remain before anything is allocated, so a hostile
 * length prefix can never cause a large allocation or an out-of-range read.
 *
 * Byte fields are returned as views into the underlying buffer (no copy).
 *
 * @example
 * ```ts
 * const r = new Reader(frame)
 * const size = r.int32()
 * const name = r.compactString()
 * ```
 */
export class Reader {
  offset: number

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset
  }

  /** Bytes left between the cursor and the end. */
  get remaining(): number {
    return this.end - this.offset
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = 'field'): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new DecodeError(
        `Truncated data: reading ${what} needs ${n} bytes at offset ${this.offset} but only ${Math.max(0, this.end - this.offset)} remain`,
      )
    }
  }

  int8(): number {
    this.need(1, 'int8')
    return this.buf.readInt8(this.offset++)
  }

  uint8(): number {
    this.need(1, 'uint8')
    return this.buf[this.offset++]!
  }

  bool(): boolean {
    return this.int8() !== 0
  }

  // int16 and int32 are the most frequent reads of generated decoders, so they assemble the bytes
  // inline and only call need() (which throws) when the bytes are missing.
  int16(): number {
    const o = this.offset
    if (o + 2 > this.end) this.need(2, 'int16')
    this.offset = o + 2
    const b = this.buf
    return (((b[o]! << 8) | b[o + 1]!) << 16) >> 16
  }

  uint16(): number {
    this.need(2, 'uint16')
    const v = this.buf.readUInt16BE(this.offset)
    this.offset += 2
    return v
  }

  int32(): number {
    const o = this.offset
    if (o + 4 > this.end) this.need(4, 'int32')
    this.offset = o + 4
    const b = this.buf
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
  }

  uint32(): number {
    this.need(4, 'uint32')
    const v = this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  int64(): bigint {
    this.need(8, 'int64')
    const v = this.buf.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }

  float64(): number {
    this.need(8, 'float64')
    const v = this.buf.readDoubleBE(this.offset)
    this.offset += 8
    return v
  }

  uuid(): string {
    this.need(16, 'uuid')
    const v = readUuid(this.buf, this.offset)
    this.offset += 16
    return v
  }

  /** An unsigned LEB128 varint of at most 32 bits. */
  uvarint(): number {
    // Lengths and tag counts are nearly always below 128: one byte, no loop.
    const first = this.offset < this.end ? this.buf[this.offset]! : 0x80
    if (first < 0x80) {
      this.offset++
      return first
    }
    let result = 0
    let shift = 0
    for (;;) {
      if (this.offset >= this.end) throw new DecodeError(`Truncated data: unsigned varint runs past the end at offset ${this.offset}`)
      const byte = this.buf[this.offset++]!
      if (shift === 28 && byte > 0x0f) throw new DecodeError(`Malformed varint at offset ${this.offset - 1}: more than 32 bits`)
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
      shift += 7
    }
  }

  /** A zig-zag encoded signed varint of at most 32 bits. */
  varint(): number {
    const u = this.uvarint()
    return (u & 1) === 0 ? u / 2 : -(u + 1) / 2
  }

  /** A zig-zag encoded signed varint of at most 64 bits. */
  varlong(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (this.offset >= this.end) throw new DecodeError(`Truncated data: varlong runs past the end at offset ${this.offset}`)
      const byte = this.buf[this.offset++]!
      if (shift === 63n && byte > 1) throw new DecodeError(`Malformed varlong at offset ${this.offset - 1}: more than 64 bits`)
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n)
      shift += 7n
    }
  }

  /** `n` raw bytes as a view into the buffer. */
  raw(n: number, what = 'bytes'): Buffer {
    this.need(n, what)
    const v = this.buf.subarray(this.offset, this.offset + n)
    this.offset += n
    return v
  }

  private text(n: number): string {
    this.need(n, 'string')
    const v = this.buf.toString('utf8', this.offset, this.offset + n)
    this.offset += n
    return v
  }

  /** STRING: int16 length then UTF-8 bytes. */
  string(): string {
    const n = this.int16()
    if (n < 0) throw new DecodeError(`Unexpected null string at offset ${this.offset - 2}: this field cannot be null`)
    return this.text(n)
  }

  /** NULLABLE_STRING: int16 length (-1 for null) then UTF-8 bytes. */
  nullableString(): string | null {
    const n = this.int16()
    if (n === -1) return null
    if (n < -1) throw new DecodeError(`Invalid string length ${n} at offset ${this.offset - 2}`)
    return this.text(n)
  }

  /** COMPACT_STRING: unsigned varint length + 1 then UTF-8 bytes. */
  compactString(): string {
    const n = this.uvarint()
    if (n === 0) throw new DecodeError(`Unexpected null compact string at offset ${this.offset - 1}: this field cannot be null`)
    return this.text(n - 1)
  }

  /** COMPACT_NULLABLE_STRING: unsigned varint length + 1 (0 for null) then UTF-8 bytes. */
  compactNullableString(): string | null {
    const n = this.uvarint()
    return n === 0 ? null : this.text(n - 1)
  }

  /** BYTES: int32 length then the bytes. */
  bytes(): Buffer {
    const n = this.int32()
    if (n < 0) throw new DecodeError(`Unexpected null bytes at offset ${this.offset - 4}: this field cannot be null`)
    return this.raw(n)
  }

  /** NULLABLE_BYTES: int32 length (-1 for null) then the bytes. */
  nullableBytes(): Buffer | null {
    const n = this.int32()
    if (n === -1) return null
    if (n < -1) throw new DecodeError(`Invalid bytes length ${n} at offset ${this.offset - 4}`)
    return this.raw(n)
  }

  /** COMPACT_BYTES: unsigned varint length + 1 then the bytes. */
  compactBytes(): Buffer {
    const n = this.uvarint()
    if (n === 0) throw new DecodeError(`Unexpected null compact bytes at offset ${this.offset - 1}: this field cannot be null`)
    return this.raw(n - 1)
  }

  /** COMPACT_NULLABLE_BYTES: unsigned varint length + 1 (0 for null) then the bytes. */
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint()
    return n === 0 ? null : this.raw(n - 1)
  }

  /**
   * An ARRAY length: int32, -1 for null. Every element takes at least one byte, so a count larger
   * than the bytes left is rejected before the caller allocates anything.
   */
  arrayLength(): number {
    const n = this.int32()
    if (n < -1) throw new DecodeError(`Invalid array length ${n} at offset ${this.offset - 4}`)
    if (n > this.remaining) throw new DecodeError(`Array length ${n} at offset ${this.offset - 4} exceeds the ${this.remaining} bytes left`)
    return n
  }

  /** A COMPACT_ARRAY length: unsigned varint length + 1, -1 for null. Checked like {@link arrayLength}. */
  compactArrayLength(): number {
    const n = this.uvarint() - 1
    if (n > this.remaining) throw new DecodeError(`Array length ${n} at offset ${this.offset} exceeds the ${this.remaining} bytes left`)
    return n
  }

  /**
   * Reads a tagged-field section. `known(tag, reader)` decodes a tag it knows and returns true, or
   * returns false to keep the field as unknown. Returns the unknown fields, or undefined if none.
   */
  taggedFields(known?: (tag: number, end: number) => boolean): UnknownTaggedField[] | undefined {
    const count = this.uvarint()
    if (count > this.remaining) throw new DecodeError(`Tagged field count ${count} exceeds the ${this.remaining} bytes left`)
    let unknown: UnknownTaggedField[] | undefined
    let lastTag = -1
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint()
      if (tag <= lastTag) throw new DecodeError(`Tagged fields out of order: tag ${tag} after tag ${lastTag}`)
      lastTag = tag
      const size = this.uvarint()
      this.need(size, `tagged field ${tag}`)
      const end = this.offset + size
      if (known?.(tag, end)) {
        if (this.offset !== end) throw new DecodeError(`Tagged field ${tag} declared ${size} bytes but its value used ${this.offset - (end - size)}`)
      } else {
        ;(unknown ??= []).push({ tag, data: this.raw(size) })
      }
    }
    return unknown
  }

  /**
   * Reads a tagged-field section like {@link taggedFields}, but hands each known tag to a plain function
   * with a target object and a version instead of a closure, so generated decoders allocate nothing per
   * call. `read(reader, target, tag, version)` decodes a tag it knows into `target` and returns true, or
   * returns false to keep the field as unknown.
   */
  taggedFieldsInto<T>(target: T, version: number, read: (r: Reader, target: T, tag: number, version: number) => boolean): UnknownTaggedField[] | undefined {
    const count = this.uvarint()
    if (count > this.remaining) throw new DecodeError(`Tagged field count ${count} exceeds the ${this.remaining} bytes left`)
    let unknown: UnknownTaggedField[] | undefined
    let lastTag = -1
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint()
      if (tag <= lastTag) throw new DecodeError(`Tagged fields out of order: tag ${tag} after tag ${lastTag}`)
      lastTag = tag
      const size = this.uvarint()
      this.need(size, `tagged field ${tag}`)
      const end = this.offset + size
      if (read(this, target, tag, version)) {
        if (this.offset !== end) throw new DecodeError(`Tagged field ${tag} declared ${size} bytes but its value used ${this.offset - (end - size)}`)
      } else {
        ;(unknown ??= []).push({ tag, data: this.raw(size) })
      }
    }
    return unknown
  }
}

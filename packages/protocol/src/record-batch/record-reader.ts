import { DecodeError } from '../errors/kafka-error.js'
import { NO_HEADERS, type DecodedRecord, type RecordHeader } from './types.js'

/** Node's internal Buffer class: constructing views with it skips `subarray`'s species lookup. */
const FastBuffer = (Buffer as unknown as { [Symbol.species]: new (ab: ArrayBufferLike, offset: number, length: number) => Buffer })[Symbol.species]

const MAX_SAFE = Number.MAX_SAFE_INTEGER

function malformed(what: string, at: number): DecodeError {
  return new DecodeError(`Malformed record: ${what} at byte ${at} of the records section`)
}

/**
 * Reads the records of one batch from its (decompressed) records section. Reads past the end of the
 * section yield `undefined`, which every check below treats as malformed, so hostile lengths end in a
 * DecodeError, never an out-of-range access; each record must end exactly where its length says.
 */
export class RecordReader {
  pos = 0
  private readonly ab: ArrayBufferLike
  private readonly base: number

  constructor(
    private readonly buf: Buffer,
    private readonly end: number,
  ) {
    this.ab = buf.buffer
    this.base = buf.byteOffset
  }

  /** A zig-zag varint of at most 5 bytes. */
  varint(): number {
    const b = this.buf
    let byte = b[this.pos++]!
    if (byte < 0x80) return (byte >>> 1) ^ -(byte & 1)
    let u = byte & 0x7f
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 7
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 14
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 21
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    byte = b[this.pos++]!
    if (!(byte < 0x10)) throw malformed('varint longer than 32 bits', this.pos - 1)
    u |= byte << 28
    return (u >>> 1) ^ -(u & 1)
  }

  /** A zig-zag varlong, exact up to ±2^53. */
  varlong(): number {
    const b = this.buf
    let byte = b[this.pos++]!
    if (byte < 0x80) return (byte >>> 1) ^ -(byte & 1)
    let u = byte & 0x7f
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 7
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 14
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    byte = b[this.pos++]!
    u |= (byte & 0x7f) << 21
    if (byte < 0x80) return (u >>> 1) ^ -(u & 1)
    let scale = 0x10000000
    for (let i = 4; i < 10; i++) {
      byte = b[this.pos++]!
      u += (byte & 0x7f) * scale
      if (byte < 0x80) {
        if (u > MAX_SAFE) throw malformed('varlong beyond ±2^53', this.pos - 1)
        return u % 2 === 0 ? u / 2 : -(u + 1) / 2
      }
      scale *= 0x80
    }
    throw malformed('varlong longer than 64 bits', this.pos - 1)
  }

  /** A varint-length-prefixed byte field as a view (null for length -1). */
  private bytes(limit: number): Buffer | null {
    const len = this.varint()
    if (len < 0) {
      if (len === -1) return null
      throw malformed(`negative length ${len}`, this.pos)
    }
    const start = this.pos
    if (start + len > limit) throw malformed(`length ${len} runs past the record`, start)
    this.pos = start + len
    return new FastBuffer(this.ab, this.base + start, len)
  }

  /** One record; `baseOffset`/`baseTimestamp` are the batch's, `fixedTimestamp` overrides (LogAppendTime). */
  record(baseOffset: number, baseTimestamp: number, fixedTimestamp: number | undefined): DecodedRecord {
    const at = this.pos
    const length = this.varint()
    const limit = this.pos + length
    if (length < 6 || limit > this.end) throw malformed(`record length ${length} does not fit`, at)
    this.pos++ // record attributes: unused by Kafka
    const timestampDelta = this.varlong()
    const offsetDelta = this.varint()
    const key = this.bytes(limit)
    const value = this.bytes(limit)
    const count = this.varint()
    let headers: readonly RecordHeader[] = NO_HEADERS
    if (count !== 0) {
      if (count < 0 || count > (limit - this.pos) >> 1) throw malformed(`header count ${count}`, this.pos)
      const list: RecordHeader[] = new Array(count)
      for (let h = 0; h < count; h++) {
        const keyLength = this.varint()
        const start = this.pos
        if (keyLength < 0 || start + keyLength > limit) throw malformed(`header key length ${keyLength}`, start)
        this.pos = start + keyLength
        list[h] = { key: this.buf.toString('utf8', start, this.pos), value: this.bytes(limit) }
      }
      headers = list
    }
    if (this.pos !== limit) throw malformed(`record length ${length} does not match its fields`, at)
    const timestamp = fixedTimestamp ?? baseTimestamp + timestampDelta
    if (timestamp > MAX_SAFE || timestamp < -MAX_SAFE) throw malformed('timestamp beyond ±2^53', at)
    return { offset: baseOffset + offsetDelta, timestamp, key, value, headers }
  }
}

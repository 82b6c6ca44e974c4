import { ATTRIBUTES_OFFSET, RECORD_BATCH_HEADER_SIZE, compressionCodecFromId, decompressSync } from '@tributary/protocol'

/**
 * A minimal reader for the records inside an uncompressed (or already decompressed) RecordBatch v2.
 * The log itself never decodes records; this serves the few places that must look inside a batch:
 * key checks for compacted topics, timestamp search and the log cleaner. It reads lengths only to
 * find boundaries and never copies the record bytes.
 *
 * Record layout: length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 * keyLength varint, key, valueLength varint, value, header count varint, headers.
 */

/**
 * The records section of a whole stored batch: the bytes after the header, decompressed when the
 * batch is compressed (zstd needs `compressionReady()` to have resolved once).
 *
 * @throws DecodeError when the compressed data is corrupt.
 */
export function recordsSection(batch: Buffer): Buffer {
  const codecId = batch.readInt16BE(ATTRIBUTES_OFFSET) & 0x07
  const body = batch.subarray(RECORD_BATCH_HEADER_SIZE)
  return codecId === 0 ? body : decompressSync(compressionCodecFromId(codecId), body)
}

/** Where one record sits in its records section and what the log needs of it. */
export interface RecordView {
  /** Start of the record (its length varint) within the section. */
  start: number
  /** End (exclusive) of the record within the section. */
  end: number
  offsetDelta: number
  timestampDelta: number
  /** Start of the key bytes, or -1 for a null key. */
  keyStart: number
  keyLength: number
  /** -1 for a null value (a tombstone). */
  valueLength: number
}

/** Thrown for records whose lengths do not add up. */
export class MalformedRecordError extends Error {}

class Cursor {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  byte(): number {
    if (this.pos >= this.end) throw new MalformedRecordError('record ends early')
    return this.buf[this.pos++]!
  }

  /** A zig-zag varint of up to 64 bits, as a number (exact below 2^53). */
  varlong(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2
      scale *= 128
    }
    throw new MalformedRecordError('varint longer than 10 bytes')
  }

  varint(): number {
    const v = this.varlong()
    if (v < -0x8000_0000 || v > 0x7fff_ffff) throw new MalformedRecordError('varint out of int32 range')
    return v
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new MalformedRecordError('length points past the record')
    this.pos += n
  }
}

/**
 * Walks the records of a records section (`section[from, to)`), calling `visit` for each, and checks
 * that exactly `count` records fill the section.
 *
 * @throws MalformedRecordError when a length is inconsistent.
 */
export function forEachRecord(section: Uint8Array, from: number, to: number, count: number, visit: (r: RecordView) => void): void {
  let pos = from
  for (let i = 0; i < count; i++) {
    const head = new Cursor(section, pos, to)
    const length = head.varint()
    if (length < 0) throw new MalformedRecordError('negative record length')
    const bodyStart = head.pos
    const end = bodyStart + length
    if (end > to) throw new MalformedRecordError('record length points past the batch')
    const c = new Cursor(section, bodyStart, end)
    c.byte() // attributes
    const timestampDelta = c.varlong()
    const offsetDelta = c.varint()
    const keyLength = c.varint()
    const keyStart = keyLength < 0 ? -1 : c.pos
    if (keyLength > 0) c.skip(keyLength)
    const valueLength = c.varint()
    if (valueLength > 0) c.skip(valueLength)
    visit({ start: pos, end, offsetDelta, timestampDelta, keyStart, keyLength: Math.max(keyLength, 0), valueLength })
    pos = end
  }
  if (pos !== to) throw new MalformedRecordError(`${to - pos} bytes follow the last of ${count} records`)
}

import { crc32 } from '../checksum/crc32c.js'
import { compressionCodecFromId, DEFAULT_MAX_DECOMPRESSED_SIZE } from '../compression/codec.js'
import { decompressSync } from '../compression/compress.js'
import { lz4Decompress } from '../compression/lz4.js'
import { DecodeError } from '../errors/kafka-error.js'
import { ATTRIBUTE_LOG_APPEND_TIME } from './attributes.js'
import { CorruptRecordError } from './errors.js'
import { LOG_OVERHEAD } from './header.js'
import { NO_HEADERS, type DecodedRecord, type DecodedRecordBatch, type DecodeRecordBatchOptions } from './types.js'

/**
 * Legacy MessageSet entries (magic 0 and 1), read so consumers can fetch data written before Kafka
 * 0.11:
 *
 * ```
 * offset int64, size int32, crc uint32 (CRC-32 of what follows), magic int8, attributes int8,
 * timestamp int64 (magic 1 only), key bytes (int32 length, -1 null), value bytes
 * ```
 *
 * A compressed message is a wrapper whose value is a compressed message set of inner messages.
 * Inside a magic-1 wrapper, inner offsets are relative (0, 1, …) and the wrapper carries the absolute
 * offset of the last one; inside a magic-0 wrapper they are absolute. With LogAppendTime (attribute
 * bit 3, magic 1), every inner message takes the wrapper's timestamp.
 */

const MAX_SAFE_OFFSET = 2n ** 53n - 2n ** 32n

interface LegacyMessage {
  offset: bigint
  magic: number
  crc: number
  attributes: number
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
}

function nullableBytes(buf: Buffer, at: number, end: number, what: string): [Buffer | null, number] {
  if (at + 4 > end) throw new DecodeError(`Legacy message ${what} length runs past the message at byte ${at}`)
  const len = buf.readInt32BE(at)
  if (len === -1) return [null, at + 4]
  if (len < 0 || at + 4 + len > end) throw new DecodeError(`Legacy message ${what} length ${len} at byte ${at} does not fit`)
  return [buf.subarray(at + 4, at + 4 + len), at + 4 + len]
}

/** Parses one message whose `size` bytes after the 12-byte prefix at `start` are all present. */
function parseMessage(buf: Buffer, start: number, size: number, verifyCrc: boolean): LegacyMessage {
  const at = start + LOG_OVERHEAD
  const end = at + size
  if (size < 14) throw new DecodeError(`Legacy message at byte ${start} is ${size} bytes, too short to be one`)
  const crc = buf.readUInt32BE(at)
  const magic = buf[at + 4]!
  if (magic > 1) throw new DecodeError(`Legacy message at byte ${start} has magic ${magic}; a message set holds magic 0 or 1`)
  if (magic === 1 && size < 22) throw new DecodeError(`Legacy v1 message at byte ${start} is ${size} bytes, too short to be one`)
  if (verifyCrc) {
    const actual = crc32(buf.subarray(at + 4, end))
    if (actual !== crc) throw new CorruptRecordError(`Legacy message at byte ${start} is corrupt: CRC-32 0x${actual.toString(16)} does not match 0x${crc.toString(16)}`)
  }
  const attributes = buf[at + 5]!
  const timestamp = magic === 1 ? buf.readBigInt64BE(at + 6) : -1n
  const [key, afterKey] = nullableBytes(buf, at + (magic === 1 ? 14 : 6), end, 'key')
  const [value, afterValue] = nullableBytes(buf, afterKey, end, 'value')
  if (afterValue !== end) throw new DecodeError(`Legacy message at byte ${start} has ${end - afterValue} bytes after its value`)
  return { offset: buf.readBigInt64BE(start), magic, crc, attributes, timestamp, key, value }
}

function toNumber(v: bigint, what: string): number {
  if (v > MAX_SAFE_OFFSET || v < -MAX_SAFE_OFFSET) throw new DecodeError(`Legacy message ${what} ${v} is beyond ±2^53`)
  return Number(v)
}

function innerMessages(wrapper: LegacyMessage, data: Buffer, verifyCrc: boolean): DecodedRecord[] {
  const inner: LegacyMessage[] = []
  for (let pos = 0; pos < data.length; ) {
    if (data.length - pos < LOG_OVERHEAD) throw new DecodeError(`Truncated inner message at byte ${pos} of a compressed legacy message`)
    const size = data.readInt32BE(pos + 8)
    if (size < 0 || pos + LOG_OVERHEAD + size > data.length) throw new DecodeError(`Inner message at byte ${pos} declares ${size} bytes, more than remain`)
    const message = parseMessage(data, pos, size, verifyCrc)
    if (message.attributes & 0x07) throw new DecodeError('A compressed legacy message holds another compressed message')
    inner.push(message)
    pos += LOG_OVERHEAD + size
  }
  if (inner.length === 0) throw new DecodeError('A compressed legacy message holds no messages')
  const relative = wrapper.magic >= 1
  const shift = relative ? wrapper.offset - inner[inner.length - 1]!.offset : 0n
  const appendTime = wrapper.magic >= 1 && (wrapper.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0
  return inner.map((m) => ({
    offset: toNumber(m.offset + shift, 'offset'),
    timestamp: toNumber(appendTime ? wrapper.timestamp : m.timestamp, 'timestamp'),
    key: m.key,
    value: m.value,
    headers: NO_HEADERS,
  }))
}

/** Decodes the legacy entry at `start` (all `size` bytes present) into the shape of a v2 batch. */
export function decodeLegacyEntry(buf: Buffer, start: number, size: number, options: DecodeRecordBatchOptions): DecodedRecordBatch {
  const verifyCrc = options.verifyCrc !== false
  const message = parseMessage(buf, start, size - LOG_OVERHEAD, verifyCrc)
  const compression = compressionCodecFromId(message.attributes & 0x07)
  let records: DecodedRecord[]
  if (compression === 'none') {
    records = [
      {
        offset: toNumber(message.offset, 'offset'),
        timestamp: toNumber(message.timestamp, 'timestamp'),
        key: message.key,
        value: message.value,
        headers: NO_HEADERS,
      },
    ]
  } else {
    if (compression === 'zstd') throw new DecodeError(`Legacy message at byte ${start} uses zstd, which Kafka allows only in v2 batches`)
    if (message.value === null) throw new DecodeError(`Compressed legacy message at byte ${start} has a null value`)
    const max = options.maxDecompressedSize ?? DEFAULT_MAX_DECOMPRESSED_SIZE
    // Kafka clients before 0.10 wrote LZ4 frame header checksums over the wrong bytes; Kafka accepts
    // them for magic 0, so do we.
    const data =
      compression === 'lz4' && message.magic === 0
        ? lz4Decompress(message.value, max, { legacyHeaderChecksum: true })
        : decompressSync(compression, message.value, options)
    records = innerMessages(message, data, verifyCrc)
  }
  const first = records[0]!
  const last = records[records.length - 1]!
  let maxTimestamp = first.timestamp
  for (const r of records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp
  const timestampType = message.magic >= 1 && message.attributes & ATTRIBUTE_LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime'
  return {
    baseOffset: BigInt(first.offset),
    batchLength: size - LOG_OVERHEAD,
    partitionLeaderEpoch: -1,
    magic: message.magic,
    crc: message.crc,
    attributes: message.attributes,
    lastOffsetDelta: last.offset - first.offset,
    baseTimestamp: BigInt(first.timestamp),
    maxTimestamp: BigInt(maxTimestamp),
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    recordCount: records.length,
    compression,
    timestampType,
    isTransactional: false,
    isControl: false,
    hasDeleteHorizon: false,
    sizeInBytes: size,
    records,
  }
}

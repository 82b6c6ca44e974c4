import { DecodeError, LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE } from '@tributary/protocol'
import { MAX_COMPRESSION_ID, batchFields as f, computeCrc } from './batch.js'
import { logError } from './errors.js'
import { MalformedRecordError, forEachRecord, recordsSection } from './records.js'
import type { TopicConfig } from './topic-config.js'

/**
 * Who is appending. `'client'` (a Produce request) gets Kafka's client checks: base offset 0, no
 * control batches. `'coordinator'` is the broker's own writers (transaction markers, group and
 * transaction state), which may write control batches.
 */
export type AppendOrigin = 'client' | 'coordinator'

/** A batch that passed validation: where it is in the appended buffer and its shape. */
export interface ValidatedBatch {
  /** Byte position within the appended buffer. */
  position: number
  size: number
  recordCount: number
  lastOffsetDelta: number
  maxTimestamp: number
}

const UNBOUNDED = 2 ** 53

/**
 * Checks every batch of a Produce payload before anything is written, as Kafka's log validator
 * does, and returns where each one is. Throws a KafkaError whose code is the error the broker
 * answers with:
 * - `UNSUPPORTED_FOR_MESSAGE_FORMAT` for magic 0 or 1 (legacy message sets);
 * - `CORRUPT_MESSAGE` for a truncated batch, an impossible length, an unknown magic or codec, a
 *   CRC-32C mismatch, or records whose lengths do not add up;
 * - `MESSAGE_TOO_LARGE` when a batch is larger than `max.message.bytes`;
 * - `INVALID_RECORD` for an empty payload, a record count that disagrees with the offset range, a
 *   client batch with a base offset other than 0 or a control flag, a data batch with a producer id
 *   but no base sequence (transaction markers have none), or a record without a key on a compacted topic;
 * - `INVALID_TIMESTAMP` for a CreateTime timestamp outside `message.timestamp.before/after.max.ms`.
 *
 * Records inside uncompressed batches are walked to check their structure (and keys on compacted
 * topics); compressed batches are decompressed only on compacted topics, where keys must be checked.
 */
export function validateBatches(buf: Buffer, config: TopicConfig, origin: AppendOrigin, now: number): ValidatedBatch[] {
  if (buf.length === 0) throw logError('INVALID_RECORD', 'The produce request holds no record batches')
  const out: ValidatedBatch[] = []
  let at = 0
  while (at < buf.length) {
    out.push(validateOne(buf, at, config, origin, now))
    at += out[out.length - 1]!.size
  }
  return out
}

function validateOne(buf: Buffer, at: number, config: TopicConfig, origin: AppendOrigin, now: number): ValidatedBatch {
  const remaining = buf.length - at
  const where = `record batch at byte ${at}`
  if (remaining < LOG_OVERHEAD + 5) throw logError('CORRUPT_MESSAGE', `The ${where} is truncated: ${remaining} bytes remain`)
  const magic = f.magic(buf, at)
  if (magic === 0 || magic === 1) {
    throw logError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `The ${where} uses message format v${magic}; this broker stores only RecordBatch v2 (magic 2)`)
  }
  if (magic !== 2) throw logError('CORRUPT_MESSAGE', `The ${where} has unknown magic byte ${magic}`)
  const size = f.batchLength(buf, at) + LOG_OVERHEAD
  if (size < RECORD_BATCH_HEADER_SIZE) throw logError('CORRUPT_MESSAGE', `The ${where} declares length ${size - LOG_OVERHEAD}, less than a batch header`)
  if (size > remaining) throw logError('CORRUPT_MESSAGE', `The ${where} declares ${size} bytes but only ${remaining} were sent`)
  if (origin === 'client' && f.baseOffset(buf, at) !== 0) {
    throw logError('INVALID_RECORD', `The base offset of the ${where} should be 0, but it is ${f.baseOffset(buf, at)}`)
  }
  if (size > config.maxMessageBytes) {
    throw logError('MESSAGE_TOO_LARGE', `The ${where} is ${size} bytes, larger than max.message.bytes (${config.maxMessageBytes})`)
  }
  if (computeCrc(buf, at, size) !== buf.readUInt32BE(at + 17)) throw logError('CORRUPT_MESSAGE', `The ${where} is corrupt: its CRC-32C does not match`)
  const compression = f.compression(buf, at)
  if (compression > MAX_COMPRESSION_ID) throw logError('CORRUPT_MESSAGE', `The ${where} uses unknown compression codec id ${compression}`)
  const recordCount = f.recordCount(buf, at)
  const lastOffsetDelta = f.lastOffsetDelta(buf, at)
  if (recordCount <= 0) throw logError('INVALID_RECORD', `The ${where} reports ${recordCount} records`)
  if (lastOffsetDelta + 1 !== recordCount) {
    throw logError('INVALID_RECORD', `The ${where} is inconsistent: last offset delta ${lastOffsetDelta} but ${recordCount} records`)
  }
  if (origin === 'client' && f.isControl(buf, at)) throw logError('INVALID_RECORD', `Clients may not write control batches (${where})`)
  if (f.producerId(buf, at) >= 0 && f.baseSequence(buf, at) < 0 && !f.isControl(buf, at)) {
    throw logError('INVALID_RECORD', `The ${where} has a producer id but no base sequence`)
  }
  const timestamps = config.messageTimestampType === 'CreateTime' ? timestampBounds(config, now) : undefined
  if (timestamps) {
    checkTimestamp(f.baseTimestamp(buf, at), timestamps, where)
    checkTimestamp(f.maxTimestamp(buf, at), timestamps, where)
  }
  if (compression === 0 || config.cleanupPolicy.compact) checkRecords(buf, at, size, recordCount, config, timestamps, where)
  return { position: at, size, recordCount, lastOffsetDelta, maxTimestamp: f.maxTimestamp(buf, at) }
}

function checkRecords(buf: Buffer, at: number, size: number, count: number, config: TopicConfig, timestamps: Bounds | undefined, where: string): void {
  const batch = buf.subarray(at, at + size)
  const baseTimestamp = f.baseTimestamp(buf, at)
  const lastOffsetDelta = f.lastOffsetDelta(buf, at)
  let previousDelta = -1
  try {
    const section = recordsSection(batch)
    forEachRecord(section, 0, section.length, count, (r) => {
      if (r.offsetDelta <= previousDelta || r.offsetDelta > lastOffsetDelta) {
        throw logError('INVALID_RECORD', `The ${where} has a record with offset delta ${r.offsetDelta} out of order`)
      }
      previousDelta = r.offsetDelta
      if (config.cleanupPolicy.compact && r.keyStart < 0) {
        throw logError('INVALID_RECORD', `Compacted topic cannot accept message without key (${where})`)
      }
      if (timestamps) checkTimestamp(baseTimestamp + r.timestampDelta, timestamps, where)
    })
  } catch (err) {
    if (err instanceof MalformedRecordError || err instanceof DecodeError) {
      throw logError('CORRUPT_MESSAGE', `The ${where} holds malformed records: ${err.message}`, err)
    }
    throw err
  }
}

interface Bounds {
  earliest: number
  latest: number
}

function timestampBounds(config: TopicConfig, now: number): Bounds | undefined {
  if (config.messageTimestampBeforeMaxMs >= UNBOUNDED && config.messageTimestampAfterMaxMs >= UNBOUNDED) return undefined
  return { earliest: now - config.messageTimestampBeforeMaxMs, latest: now + config.messageTimestampAfterMaxMs }
}

function checkTimestamp(ts: number, b: Bounds, where: string): void {
  if (ts === -1) return
  if (ts < b.earliest || ts > b.latest) {
    throw logError('INVALID_TIMESTAMP', `Timestamp ${ts} of the ${where} is outside the accepted range [${b.earliest}, ${b.latest}]`)
  }
}

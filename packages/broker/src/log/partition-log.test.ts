import { KafkaError, MAX_TIMESTAMP_OFFSET, readRecordBatchHeader, verifyRecordBatch } from '@tributary/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PartitionLog } from './partition-log.js'
import type { LogStorage } from './storage.js'
import { STORAGE_KINDS, batch, decode, fakeClock, makeStorage, openLog, values, type StorageFixture } from './test-helpers.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof KafkaError) return err.code
    throw err
  }
  return undefined
}

describe.each(STORAGE_KINDS)('PartitionLog (%s storage)', (kind) => {
  let f: StorageFixture
  let log: PartitionLog

  beforeEach(() => {
    f = makeStorage(kind)
    log = openLog(f)
  })
  afterEach(() => {
    log.close()
    f.cleanup()
  })

  it('assigns offsets by patching the base offset and keeps the CRC valid', () => {
    expect(log.append(batch(values(3)))).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, logStartOffset: 0, recordCount: 3 })
    expect(log.append(batch(values(2, 'w')))).toMatchObject({ baseOffset: 3, lastOffset: 4 })
    expect(log.logEndOffset).toBe(5)
    const { records, highWatermark, logStartOffset } = log.read(0, 1 << 20)
    expect(highWatermark).toBe(5)
    expect(logStartOffset).toBe(0)
    expect(readRecordBatchHeader(records, 0).baseOffset).toBe(0n)
    const second = verifyRecordBatch(records, records.readInt32BE(8) + 12)
    expect(second.baseOffset).toBe(3n)
    expect(second.partitionLeaderEpoch).toBe(0)
    expect(decode(records).map((r) => [r.offset, r.value])).toEqual([
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
      [3, 'w0'],
      [4, 'w1'],
    ])
  })

  it('stores the batch bytes as sent apart from the base offset and leader epoch', () => {
    const sent = batch(values(4))
    const original = Buffer.from(sent)
    log.append(sent)
    const stored = log.read(0, 1 << 20).records
    expect(stored.subarray(16)).toEqual(original.subarray(16))
  })

  it('appends several batches from one request', () => {
    const result = log.append(Buffer.concat([batch(values(2)), batch(values(3, 'x'))]))
    expect(result).toMatchObject({ baseOffset: 0, lastOffset: 4, recordCount: 5 })
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4])
  })

  it('returns the whole batch holding a fetch offset inside it', () => {
    log.append(batch(values(5)))
    log.append(batch(values(5, 'b')))
    const { records } = log.read(7, 1 << 20)
    expect(readRecordBatchHeader(records, 0).baseOffset).toBe(5n)
    expect(decode(records).map((r) => r.offset)).toEqual([5, 6, 7, 8, 9])
  })

  it('honours maxBytes with whole batches and minOneBatch', () => {
    const sizes = [batch(values(3)), batch(values(3)), batch(values(3))].map((b) => {
      log.append(b)
      return b.length
    })
    expect(log.read(0, sizes[0]! + sizes[1]! + 10).records.length).toBe(sizes[0]! + sizes[1]!)
    expect(log.read(0, 10).records.length).toBe(sizes[0]!)
    expect(log.read(0, 10, { minOneBatch: false }).records.length).toBe(0)
    expect(log.read(0, sizes[0]! + 5, { minOneBatch: false }).records.length).toBe(sizes[0]!)
  })

  it('returns a batch larger than maxBytes whole when it comes first', () => {
    const big = batch([{ value: 'x'.repeat(200_000) }])
    log.append(big)
    log.append(batch(values(1)))
    expect(log.read(0, 1000).records.length).toBe(big.length)
  })

  it('stops before maxOffset (high watermark or LSO)', () => {
    log.append(batch(values(2)))
    log.append(batch(values(2)))
    expect(decode(log.read(0, 1 << 20, { maxOffset: 2 }).records).map((r) => r.offset)).toEqual([0, 1])
    expect(log.read(2, 1 << 20, { maxOffset: 2 }).records.length).toBe(0)
  })

  it('answers OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset] and nothing at the end', () => {
    log.append(batch(values(2)))
    expect(log.read(2, 100).records.length).toBe(0)
    expect(codeOf(() => log.read(3, 100))).toBe('OFFSET_OUT_OF_RANGE')
    expect(codeOf(() => log.read(-1, 100))).toBe('OFFSET_OUT_OF_RANGE')
    expect(() => log.read(3, 100)).toThrowError(
      expect.objectContaining({ errorCode: 1, retriable: false, detail: 'Offset 3 is out of range for t-0: the log holds offsets 0 to 2' }) as Error,
    )
  })

  describe('validation writes nothing on failure', () => {
    const cases: [string, string, () => Buffer, Record<string, string>?][] = [
      ['CORRUPT_MESSAGE', 'a flipped byte (CRC mismatch)', () => flip(batch(values(2)), 70)],
      ['CORRUPT_MESSAGE', 'a truncated batch', () => batch(values(2)).subarray(0, 50)],
      ['CORRUPT_MESSAGE', 'trailing garbage', () => Buffer.concat([batch(values(2)), Buffer.from([1, 2, 3])])],
      ['CORRUPT_MESSAGE', 'a batch length below the header size', () => withLength(batch(values(2)), 20)],
      ['UNSUPPORTED_FOR_MESSAGE_FORMAT', 'magic 1', () => withMagic(batch(values(2)), 1)],
      ['CORRUPT_MESSAGE', 'magic 3', () => withMagic(batch(values(2)), 3)],
      ['MESSAGE_TOO_LARGE', 'a batch over max.message.bytes', () => batch([{ key: 'k', value: 'x'.repeat(2000) }]), { 'max.message.bytes': '1000' }],
      ['RECORD_LIST_TOO_LARGE', 'batches larger than segment.bytes', () => batch([{ key: 'k', value: 'x'.repeat(300) }]), { 'segment.bytes': '300' }],
      ['INVALID_RECORD', 'an empty request', () => Buffer.alloc(0)],
      ['INVALID_RECORD', 'a record count that disagrees with lastOffsetDelta', () => batch(values(3), { lastOffsetDelta: 5 })],
      ['INVALID_RECORD', 'a client base offset other than 0', () => batch(values(2), { baseOffset: 7n })],
      ['INVALID_RECORD', 'a producer id without a base sequence', () => batch(values(1), { producerId: 5n, producerEpoch: 0, baseSequence: -1 })],
      ['INVALID_RECORD', 'a null key on a compacted topic', () => batch([{ key: null, value: 'v' }]), { 'cleanup.policy': 'compact' }],
      ['INVALID_RECORD', 'a control batch from a client', () => batch(values(1), { isControl: true })],
    ]
    it.each(cases)('%s for %s', (code, _what, make, overrides) => {
      log.close()
      log = openLog(f, overrides ?? {})
      const keyed = () => batch([{ key: 'k', value: 'v' }])
      log.append(keyed())
      const sizeBefore = log.size
      const good = keyed()
      // The bad batch may follow a good one: nothing of the request is written.
      const bad = make()
      expect(codeOf(() => log.append(bad.length === 0 ? bad : Buffer.concat([good, bad])))).toBe(code)
      expect(log.size).toBe(sizeBefore)
      expect(log.logEndOffset).toBe(1)
      expect(decode(log.read(0, 1 << 20).records)).toHaveLength(1)
    })
  })

  it('rejects CreateTime timestamps outside message.timestamp.before/after.max.ms', () => {
    const clock = fakeClock()
    log.close()
    log = openLog(f, { 'message.timestamp.before.max.ms': '1000', 'message.timestamp.after.max.ms': '1000' }, { clock: clock.now })
    expect(codeOf(() => log.append(batch(values(1, 'v', clock.now() - 5000))))).toBe('INVALID_TIMESTAMP')
    expect(codeOf(() => log.append(batch(values(1, 'v', clock.now() + 5000))))).toBe('INVALID_TIMESTAMP')
    expect(log.append(batch(values(1, 'v', clock.now() - 500))).baseOffset).toBe(0)
  })

  it('continues offsets and keeps data across a restart', () => {
    log.append(batch(values(3)))
    log.append(batch(values(2, 'w')))
    log.close()
    log = openLog(f)
    expect(log.logEndOffset).toBe(5)
    expect(log.append(batch(values(1, 'z'))).baseOffset).toBe(5)
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.value)).toEqual(['v0', 'v1', 'v2', 'w0', 'w1', 'z0'])
    expect(decode(log.read(5, 1 << 20).records).map((r) => r.offset)).toEqual([5])
  })

  it('rewrites batches for LogAppendTime: attribute bit, max timestamp, CRC', () => {
    const clock = fakeClock(1_800_000_000_000)
    log.close()
    log = openLog(f, { 'message.timestamp.type': 'LogAppendTime' }, { clock: clock.now })
    const result = log.append(batch(values(2, 'v', 1_000)))
    expect(result.logAppendTime).toBe(clock.now())
    const stored = log.read(0, 1 << 20).records
    const header = verifyRecordBatch(stored)
    expect(header.attributes & 0x08).toBe(0x08)
    expect(header.maxTimestamp).toBe(BigInt(clock.now()))
    expect(decode(stored).map((r) => r.timestamp)).toEqual([clock.now(), clock.now()])
    expect(stored.readBigInt64BE(MAX_TIMESTAMP_OFFSET)).toBe(BigInt(clock.now()))
  })

  it('runs append checks before writing and lets them answer for a duplicate', () => {
    log.append(batch(values(1)))
    const remove = log.addAppendCheck((batches) => {
      expect(batches[0]!.header.producerId).toBe(9n)
      if (batches[0]!.header.baseSequence === 0) return { baseOffset: 0, lastOffset: 0, logAppendTime: -1, logStartOffset: 0, recordCount: 1 }
      throw new KafkaError('out of order', { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' })
    })
    const idempotent = (seq: number) => batch(values(1), { producerId: 9n, producerEpoch: 0, baseSequence: seq })
    expect(log.append(idempotent(0))).toMatchObject({ baseOffset: 0 })
    expect(codeOf(() => log.append(idempotent(5)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(log.logEndOffset).toBe(1)
    remove()
    expect(log.append(idempotent(5)).baseOffset).toBe(1)
  })

  it('tells observers about appended batches with their assigned offsets', () => {
    const seen: [bigint, number, number][] = []
    log.addAppendObserver((batches) => {
      for (const b of batches) seen.push([b.header.baseOffset, b.baseOffset, b.lastOffset])
    })
    log.addAppendObserver(() => {
      throw new Error('observer bug')
    })
    log.append(batch(values(2)))
    log.append(Buffer.concat([batch(values(1)), batch(values(3))]))
    expect(seen).toEqual([
      [0n, 0, 1],
      [2n, 2, 2],
      [3n, 3, 5],
    ])
    expect(log.logEndOffset).toBe(6)
  })

  it('wakes waiting fetches on append and resolves false on abort', async () => {
    const waiting = log.waitForAppend()
    log.append(batch(values(1)))
    await expect(waiting).resolves.toBe(true)
    const controller = new AbortController()
    const aborted = log.waitForAppend(controller.signal)
    controller.abort()
    await expect(aborted).resolves.toBe(false)
  })

  it('truncates to an offset on a batch boundary', () => {
    log.append(batch(values(2)))
    log.append(batch(values(2, 'w')))
    log.truncateTo(2)
    expect(log.logEndOffset).toBe(2)
    expect(log.append(batch(values(1, 'z'))).baseOffset).toBe(2)
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.value)).toEqual(['v0', 'v1', 'z0'])
  })

  it('fsyncs by flush.messages and flush.ms, and not by default', () => {
    const clock = fakeClock()
    let syncs = 0
    const counting = countingSyncs(f.storage, () => syncs++)
    log.close()
    log = openLog(f, {}, { storage: counting, clock: clock.now })
    for (let i = 0; i < 5; i++) log.append(batch(values(1)))
    expect(syncs).toBe(0)
    log.close()
    syncs = 0
    log = openLog(f, { 'flush.messages': '3' }, { storage: counting, clock: clock.now })
    log.append(batch(values(2)))
    expect(syncs).toBe(0)
    log.append(batch(values(1)))
    expect(syncs).toBeGreaterThan(0)
    log.close()
    syncs = 0
    log = openLog(f, { 'flush.ms': '1000' }, { storage: counting, clock: clock.now })
    log.append(batch(values(1)))
    log.flushIfDue()
    expect(syncs).toBe(0)
    clock.advance(1000)
    log.flushIfDue()
    expect(syncs).toBeGreaterThan(0)
  })

  it('refuses work once closed', () => {
    log.close()
    expect(codeOf(() => log.append(batch(values(1))))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    log = openLog(f)
  })
})

/** The same storage, calling `onSync` whenever a file is synced. */
function countingSyncs(storage: LogStorage, onSync: () => void): LogStorage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'open') {
        return (path: string) => {
          const file = target.open(path)
          return new Proxy(file, {
            get(t, p) {
              if (p === 'sync') return () => (onSync(), t.sync())
              const v = Reflect.get(t, p) as unknown
              return typeof v === 'function' ? (v as () => unknown).bind(t) : v
            },
          })
        }
      }
      const value = Reflect.get(target, prop) as unknown
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    },
  })
}

function flip(buf: Buffer, at: number): Buffer {
  const out = Buffer.from(buf)
  out[at] = out[at]! ^ 0xff
  return out
}

function withMagic(buf: Buffer, magic: number): Buffer {
  const out = Buffer.from(buf)
  out[16] = magic
  return out
}

function withLength(buf: Buffer, length: number): Buffer {
  const out = Buffer.from(buf)
  out.writeInt32BE(length, 8)
  return out
}

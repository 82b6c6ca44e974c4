import { join } from 'node:path'
import { KafkaError } from '@tributary/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PartitionLog } from './partition-log.js'
import { STORAGE_KINDS, batch, decode, fakeClock, makeStorage, openLog, values, type StorageFixture } from './test-helpers.js'

describe.each(STORAGE_KINDS)('segments, retention and timestamps (%s storage)', (kind) => {
  let f: StorageFixture
  let log: PartitionLog
  const clock = fakeClock()
  const segmentFiles = () => f.storage.list(join(f.root, 't-0')).filter((n) => n.endsWith('.log')).sort()
  const open = (overrides: Record<string, string> = {}) => (log = openLog(f, overrides, { clock: clock.now }))
  /** A batch of 3 records stamped with the fake clock. */
  const stamped = (prefix = 'v') => batch(values(3, prefix, clock.now()))
  const batchSize = stamped().length

  beforeEach(() => {
    f = makeStorage(kind)
    clock.set(1_700_000_000_000)
  })
  afterEach(() => {
    log.close()
    f.cleanup()
  })

  it('rolls by segment.bytes and reads across segments, also after a restart', () => {
    open({ 'segment.bytes': String(batchSize * 2) })
    for (let i = 0; i < 5; i++) log.append(stamped())
    expect(segmentFiles()).toEqual(['00000000000000000000.log', '00000000000000000006.log', '00000000000000000012.log'])
    expect(decode(log.read(7, 1 << 20).records).map((r) => r.offset)).toEqual([6, 7, 8, 9, 10, 11])
    log.close()
    open({ 'segment.bytes': String(batchSize * 2) })
    expect(log.logEndOffset).toBe(15)
    expect(log.append(stamped()).baseOffset).toBe(15)
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('rolls by segment.ms measured from the first batch timestamp', () => {
    open({ 'segment.ms': '1000' })
    log.append(stamped())
    clock.advance(600)
    log.append(stamped())
    expect(segmentFiles()).toHaveLength(1)
    clock.advance(600)
    log.append(stamped())
    expect(segmentFiles()).toEqual(['00000000000000000000.log', '00000000000000000006.log'])
  })

  it('rolls when the offset index is full', () => {
    open({ 'segment.index.bytes': '16', 'index.interval.bytes': '0' })
    for (let i = 0; i < 6; i++) log.append(stamped())
    expect(segmentFiles().length).toBeGreaterThan(1)
    expect(decode(log.read(0, 1 << 20).records).length).toBeGreaterThan(0)
    expect(log.logEndOffset).toBe(18)
  })

  it('deletes segments older than retention.ms and advances the log start offset', () => {
    open({ 'segment.bytes': String(batchSize), 'retention.ms': '10000' })
    for (let i = 0; i < 4; i++) {
      log.append(stamped())
      clock.advance(4000)
    }
    // Segments' newest timestamps are now 16 s, 12 s, 8 s and 4 s old.
    const result = log.applyRetention()
    expect(result).toMatchObject({ deletedSegments: 2, reasons: ['retention.ms'], logStartOffset: 6 })
    expect(log.logStartOffset).toBe(6)
    expect(() => log.read(3, 100)).toThrowError(expect.objectContaining({ code: 'OFFSET_OUT_OF_RANGE' }) as KafkaError)
    expect(decode(log.read(6, 1 << 20).records)[0]!.offset).toBe(6)
    clock.advance(60_000)
    expect(log.applyRetention()).toMatchObject({ deletedSegments: 2, logStartOffset: 12 })
    expect(segmentFiles()).toEqual(['00000000000000000012.log'])
    expect(log.append(stamped()).baseOffset).toBe(12)
  })

  it('deletes the oldest segments beyond retention.bytes, never the data it must keep', () => {
    open({ 'segment.bytes': String(batchSize), 'retention.bytes': String(batchSize * 2) })
    for (let i = 0; i < 5; i++) log.append(stamped())
    expect(log.applyRetention()).toMatchObject({ deletedSegments: 3, reasons: ['retention.bytes'], logStartOffset: 9 })
    expect(log.size).toBe(batchSize * 2)
  })

  it('keeps deleteRecordsBefore across a restart', () => {
    open({ 'segment.bytes': String(batchSize) })
    for (let i = 0; i < 4; i++) log.append(stamped())
    expect(log.deleteRecordsBefore(7)).toBe(7)
    expect(segmentFiles()).toEqual(['00000000000000000006.log', '00000000000000000009.log'])
    expect(() => log.deleteRecordsBefore(13)).toThrowError(expect.objectContaining({ code: 'OFFSET_OUT_OF_RANGE' }) as KafkaError)
    log.close()
    open({ 'segment.bytes': String(batchSize) })
    expect(log.logStartOffset).toBe(7)
    expect(() => log.read(6, 100)).toThrowError(expect.objectContaining({ code: 'OFFSET_OUT_OF_RANGE' }) as KafkaError)
    expect(decode(log.read(7, 1 << 20).records).map((r) => r.offset)).toEqual([6, 7, 8])
    expect(log.earliest()).toEqual({ offset: 7, timestamp: -1 })
    expect(log.latest()).toEqual({ offset: 12, timestamp: -1 })
  })

  it('finds offsets by timestamp through the indexes, within batches and across segments', () => {
    open({ 'segment.bytes': '300', 'index.interval.bytes': '50' })
    const t = 1_000_000
    log.append(batch([{ value: 'a', timestamp: t + 100 }, { value: 'b', timestamp: t + 300 }, { value: 'c', timestamp: t + 200 }]))
    log.append(batch([{ value: 'd', timestamp: t + 400 }, { value: 'e', timestamp: t + 500 }]))
    log.append(batch([{ value: 'f', timestamp: t + 600 }]))
    log.append(batch([{ value: 'g', timestamp: t + 550 }]))
    expect(segmentFiles().length).toBeGreaterThan(1)
    expect(log.offsetForTimestamp(t)).toEqual({ offset: 0, timestamp: t + 100 })
    expect(log.offsetForTimestamp(t + 250)).toEqual({ offset: 1, timestamp: t + 300 })
    expect(log.offsetForTimestamp(t + 400)).toEqual({ offset: 3, timestamp: t + 400 })
    expect(log.offsetForTimestamp(t + 501)).toEqual({ offset: 5, timestamp: t + 600 })
    expect(log.offsetForTimestamp(t + 601)).toBeUndefined()
    expect(log.maxTimestamp()).toEqual({ offset: 5, timestamp: t + 600 })
    log.close()
    open({ 'segment.bytes': '300', 'index.interval.bytes': '50' })
    expect(log.offsetForTimestamp(t + 450)).toEqual({ offset: 4, timestamp: t + 500 })
    expect(log.maxTimestamp()).toEqual({ offset: 5, timestamp: t + 600 })
  })

  it('answers timestamp lookups with the append time on LogAppendTime topics', () => {
    open({ 'message.timestamp.type': 'LogAppendTime' })
    log.append(batch(values(2, 'v', 5)))
    clock.advance(1000)
    log.append(batch(values(2, 'v', 5)))
    expect(log.offsetForTimestamp(clock.now() - 500)).toEqual({ offset: 2, timestamp: clock.now() })
    expect(log.maxTimestamp()).toEqual({ offset: 2, timestamp: clock.now() })
  })

  it('an empty log has no max timestamp and finds nothing by timestamp', () => {
    open()
    expect(log.maxTimestamp()).toBeUndefined()
    expect(log.offsetForTimestamp(0)).toBeUndefined()
  })
})

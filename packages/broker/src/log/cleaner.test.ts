import { join } from 'node:path'
import { compressionReady, decodeRecordBatches } from '@tributary/protocol'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { PartitionLog } from './partition-log.js'
import type { LogStorage } from './storage.js'
import { STORAGE_KINDS, batch, decode, fakeClock, makeStorage, openLog, type StorageFixture, type TestRecord } from './test-helpers.js'

const DAY = 86_400_000

describe.each(STORAGE_KINDS)('log cleaner (%s storage)', (kind) => {
  let f: StorageFixture
  let log: PartitionLog
  const clock = fakeClock()
  const COMPACT = { 'cleanup.policy': 'compact', 'segment.bytes': '200' }
  const open = (overrides: Record<string, string> = COMPACT, storage?: LogStorage, cleanShutdown = true) =>
    (log = openLog(f, overrides, { clock: clock.now, cleanShutdown, ...(storage ? { storage } : {}) }))
  const put = (key: string, value: string | null, options = {}) => log.append(batch([{ key, value, timestamp: clock.now() }], options)).baseOffset
  const contents = () => decode(log.read(log.logStartOffset, 1 << 24).records).map((r) => `${r.offset}:${r.key}=${r.value}`)
  const readAll = () => {
    const out: string[] = []
    for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
      const { records } = log.read(offset, 1 << 20)
      if (records.length === 0) break
      const batches = decodeRecordBatches(records)
      for (const b of batches) for (const r of b.records) out.push(`${r.offset}:${r.key}=${r.value === null ? null : r.value.toString()}`)
      offset = Number(batches[batches.length - 1]!.baseOffset) + batches[batches.length - 1]!.lastOffsetDelta + 1
    }
    return out
  }

  beforeAll(async () => {
    await compressionReady()
  })
  beforeEach(() => {
    f = makeStorage(kind)
    clock.set(1_700_000_000_000)
  })
  afterEach(() => {
    if (!log.isClosed) log.close()
    f.cleanup()
  })

  it('keeps the latest record per key with its original offset, and tombstones until delete.retention.ms', () => {
    open()
    put('a', '1')
    put('b', '1')
    put('a', '2')
    put('c', '1')
    put('b', null)
    put('a', '3')
    put('d', '1')
    log.roll()
    const end = log.logEndOffset
    const result = log.compact({ force: true })
    expect(result.recordsRemoved).toBe(3)
    expect(readAll()).toEqual(['3:c=1', '4:b=null', '5:a=3', '6:d=1'])
    expect(log.logEndOffset).toBe(end)
    // Reading at a removed offset returns the next surviving batch.
    expect(decode(log.read(1, 1 << 20).records)[0]!.offset).toBe(3)
    clock.advance(DAY + 1)
    expect(log.compact({ force: true }).recordsRemoved).toBe(1)
    expect(readAll()).toEqual(['3:c=1', '5:a=3', '6:d=1'])
    log.close()
    open()
    expect(readAll()).toEqual(['3:c=1', '5:a=3', '6:d=1'])
    expect(put('e', '1')).toBe(end)
  })

  it('rewrites compressed batches keeping their codec and the batch offset range', () => {
    open({ ...COMPACT, 'segment.bytes': '100000' })
    const records: TestRecord[] = [
      { key: 'x', value: '1', timestamp: clock.now() },
      { key: 'y', value: '1', timestamp: clock.now() },
      { key: 'x', value: '2', timestamp: clock.now() },
      { key: 'z', value: '1', timestamp: clock.now() },
    ]
    log.append(batch(records, { compression: 'gzip' }))
    put('y', '2')
    log.roll()
    log.compact({ force: true })
    const stored = decodeRecordBatches(log.read(0, 1 << 20).records)
    expect(stored[0]!.compression).toBe('gzip')
    expect(stored[0]!.baseOffset).toBe(0n)
    expect(stored[0]!.lastOffsetDelta).toBe(3)
    expect(stored[0]!.records.map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['2:x=2', '3:z=1'])
    expect(readAll()).toEqual(['2:x=2', '3:z=1', '4:y=2'])
  })

  it('leaves the active segment and segments younger than min.compaction.lag.ms alone', () => {
    open({ ...COMPACT, 'min.compaction.lag.ms': '60000' })
    put('a', '1')
    put('a', '2')
    put('a', '3')
    expect(log.compact({ force: true }).cleanedSegments).toBe(0)
    clock.advance(120_000)
    log.roll()
    expect(log.compact({ force: true }).recordsRemoved).toBe(2)
    expect(contents()).toEqual(['2:a=3'])
  })

  it('cleans only when the dirty share reaches min.cleanable.dirty.ratio', () => {
    open()
    for (let i = 0; i < 6; i++) put('k', String(i))
    log.roll()
    expect(log.compact().recordsRemoved).toBe(5)
    expect(log.compact().cleanedSegments).toBe(0)
  })

  it('merges small cleaned segments while they fit in segment.bytes', () => {
    open({ ...COMPACT, 'segment.bytes': '100000' })
    for (let i = 0; i < 8; i++) {
      put(`k${i % 2}`, String(i))
      log.roll()
    }
    expect(log.segments).toHaveLength(9)
    log.compact({ force: true })
    expect(log.segments).toHaveLength(2)
    expect(contents()).toEqual(['6:k0=6', '7:k1=7'])
  })

  it('finishes a swap interrupted by a crash when the log is reopened', () => {
    open()
    for (let i = 0; i < 6; i++) put(`k${i % 2}`, String(i))
    log.roll()
    const failing = failRenameOnce(f.storage, (from) => from.endsWith('.log.swap'))
    log.close()
    open(COMPACT, failing)
    expect(() => log.compact({ force: true })).toThrowError(expect.objectContaining({ code: 'KAFKA_STORAGE_ERROR' }) as Error)
    expect(() => log.read(0, 100)).toThrowError(/offline/)
    expect(f.storage.list(join(f.root, 't-0')).some((n) => n.endsWith('.log.swap'))).toBe(true)
    log.detach()
    open(COMPACT, f.storage, false)
    expect(f.storage.list(join(f.root, 't-0')).some((n) => n.includes('.swap') || n.includes('.cleaned'))).toBe(false)
    // The first group (offsets 0-1, all superseded) was swapped in; the later ones wait for the next pass.
    expect(readAll()).toEqual(['2:k0=2', '3:k1=3', '4:k0=4', '5:k1=5'])
    expect(log.logEndOffset).toBe(6)
    log.compact({ force: true })
    expect(readAll()).toEqual(['4:k0=4', '5:k1=5'])
  })
})

/** A storage whose first rename matching `when` fails, as a crash in the middle of a swap would leave it. */
function failRenameOnce(storage: LogStorage, when: (from: string) => boolean): LogStorage {
  let failed = false
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'rename') {
        return (from: string, to: string) => {
          if (!failed && when(from)) {
            failed = true
            throw new Error('simulated crash during rename')
          }
          target.rename(from, to)
        }
      }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

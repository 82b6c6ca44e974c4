import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PartitionLog } from './partition-log.js'
import { STORAGE_KINDS, batch, decode, makeStorage, memoryLogger, openLog, values, type StorageFixture } from './test-helpers.js'

const SEGMENT = '00000000000000000000'
const SMALL_INDEX = { 'index.interval.bytes': '100' }

describe.each(STORAGE_KINDS)('recovery (%s storage)', (kind) => {
  let f: StorageFixture
  let log: PartitionLog
  const path = (suffix: string) => join(f.root, 't-0', SEGMENT + suffix)

  beforeEach(() => {
    f = makeStorage(kind)
  })
  afterEach(() => {
    log?.close()
    f.cleanup()
  })

  /** Appends `n` batches of 3 records and "crashes": files closed with no flush, marker or final index entry. */
  function writeThenCrash(n: number, overrides: Record<string, string> = {}): void {
    log = openLog(f, overrides)
    for (let i = 0; i < n; i++) log.append(batch(values(3, `b${i}-`)))
    log.detach()
  }

  function reopen(cleanShutdown: boolean, overrides: Record<string, string> = {}) {
    const logger = memoryLogger()
    log = openLog(f, overrides, { cleanShutdown, logger })
    return logger
  }

  function damage(fn: (file: ReturnType<StorageFixture['storage']['open']>) => void, suffix = '.log'): void {
    const file = f.storage.open(path(suffix))
    fn(file)
    file.close()
  }

  it('cuts garbage after the last valid batch and keeps appending after it', () => {
    writeThenCrash(4)
    damage((file) => file.append(Buffer.from('this is not a record batch, it is garbage from a torn write')))
    const logger = reopen(false)
    expect(log.logEndOffset).toBe(12)
    expect(logger.lines.some((l) => l.startsWith('warn log recovery') && l.includes('truncated 59 bytes'))).toBe(true)
    expect(log.append(batch(values(1, 'after'))).baseOffset).toBe(12)
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.offset)).toEqual([...Array(13).keys()])
  })

  it('drops a batch cut in the middle by a torn write', () => {
    writeThenCrash(4)
    damage((file) => file.truncate(file.size() - 10))
    const logger = reopen(false)
    expect(log.logEndOffset).toBe(9)
    expect(logger.lines.join('\n')).toMatch(/truncated \d+ bytes .*declares/)
    expect(decode(log.read(0, 1 << 20).records).map((r) => r.value)).toHaveLength(9)
  })

  it('truncates at a batch whose CRC fails and everything after it', () => {
    writeThenCrash(4)
    const size = batch(values(3, 'b0-')).length
    damage((file) => {
      const bytes = Buffer.alloc(file.size())
      file.readInto(bytes, 0, bytes.length, 0)
      bytes[2 * size + 70] ^= 0xff
      file.truncate(0)
      file.append(bytes)
    })
    const logger = reopen(false)
    expect(log.logEndOffset).toBe(6)
    expect(logger.lines.join('\n')).toContain('CRC-32C does not match')
  })

  it('skips recovery after a clean shutdown but still catches a log that ends inside a batch', () => {
    log = openLog(f)
    for (let i = 0; i < 3; i++) log.append(batch(values(3)))
    log.close()
    let logger = reopen(true)
    expect(logger.lines).toEqual([])
    expect(log.logEndOffset).toBe(9)
    log.close()
    damage((file) => file.truncate(file.size() - 1))
    logger = reopen(true)
    expect(log.logEndOffset).toBe(6)
    expect(logger.lines.join('\n')).toContain('ends inside a batch')
  })

  it('rebuilds a missing offset index identical to the one written with the log', () => {
    writeThenCrash(40, SMALL_INDEX)
    const original = f.storage.readAll(path('.index'))!
    expect(original.length).toBeGreaterThan(8)
    f.storage.remove(path('.index'))
    const logger = reopen(true, SMALL_INDEX)
    expect(logger.lines.join('\n')).toContain('.index missing')
    expect(f.storage.readAll(path('.index'))).toEqual(original)
    expect(decode(log.read(61, 1 << 20).records)[0]!.offset).toBe(60)
  })

  it('rebuilds a corrupt offset index and time index', () => {
    writeThenCrash(40, SMALL_INDEX)
    const original = f.storage.readAll(path('.index'))!
    const originalTime = f.storage.readAll(path('.timeindex'))!
    damage((file) => file.append(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1])), '.index')
    const logger = reopen(true, SMALL_INDEX)
    expect(logger.lines.join('\n')).toMatch(/indexes rebuilt \(entry \d+ does not increase\)/)
    expect(f.storage.readAll(path('.index'))).toEqual(original)
    expect(f.storage.readAll(path('.timeindex'))!.subarray(0, originalTime.length)).toEqual(originalTime)
    log.close()
    damage((file) => file.truncate(file.size() - 5), '.timeindex')
    reopen(true, SMALL_INDEX)
    expect(log.logEndOffset).toBe(120)
    expect(decode(log.read(100, 1 << 20).records)[0]!.offset).toBe(99)
  })

  it('recovers the active segment fully after an unclean shutdown even when it looks intact', () => {
    writeThenCrash(3)
    const logger = reopen(false)
    expect(log.logEndOffset).toBe(9)
    expect(logger.lines).toEqual([expect.stringMatching(/^info log recovery: .* all \d+ bytes valid \(the broker did not shut down cleanly\)$/)])
    expect(decode(log.read(0, 1 << 20).records)).toHaveLength(9)
  })
})

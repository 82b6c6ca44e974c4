import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecordBatches, encodeRecordBatch, type EncodeRecordBatchOptions } from '@tributary/protocol'
import { FileStorage } from './file-store.js'
import type { StorageLogger } from './logger.js'
import { MemoryStorage } from './memory-store.js'
import { PartitionLog, type PartitionLogOptions } from './partition-log.js'
import type { LogStorage } from './storage.js'
import { resolveTopicConfig, validateTopicConfigs, type TopicConfig } from './topic-config.js'

/** Test-only helpers shared by the log's tests. */

export interface TestRecord {
  key?: string | null
  value: string | null
  timestamp?: number
}

/** A v2 batch as a producer sends it (base offset 0), built with the protocol package's encoder. */
export function batch(records: readonly TestRecord[], options: Partial<EncodeRecordBatchOptions> = {}): Buffer {
  return encodeRecordBatch({
    ...options,
    records: records.map((r) => ({
      key: r.key == null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    })),
  })
}

/** `n` records with values `${prefix}0`, `${prefix}1`, ... */
export function values(n: number, prefix = 'v', timestamp?: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}`, ...(timestamp === undefined ? {} : { timestamp }) }))
}

/** The records in stored bytes, decoded with CRC checks: offset, key, value, timestamp. */
export function decode(bytes: Buffer): { offset: number; key: string | null; value: string | null; timestamp: number }[] {
  return decodeRecordBatches(bytes).flatMap((b) =>
    b.records.map((r) => ({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp })),
  )
}

/** Typed topic config from string overrides. */
export function config(overrides: Record<string, string> = {}): TopicConfig {
  return resolveTopicConfig(validateTopicConfigs(overrides))
}

/** A logger that keeps its lines. */
export function memoryLogger(): StorageLogger & { lines: string[] } {
  const lines: string[] = []
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m, e) => lines.push(`error ${m} ${String(e)}`) }
}

/** A settable clock. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => void (t += ms) }
}

/** A storage and a directory in it: a temp directory on disk, or a path in memory. */
export interface StorageFixture {
  kind: 'file' | 'memory'
  storage: LogStorage
  root: string
  cleanup(): void
}

export function makeStorage(kind: 'file' | 'memory'): StorageFixture {
  if (kind === 'memory') {
    const storage = new MemoryStorage()
    storage.mkdirs('/data')
    return { kind, storage, root: '/data', cleanup() {} }
  }
  const root = mkdtempSync(join(tmpdir(), 'tributary-log-'))
  return { kind, storage: new FileStorage(), root, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Opens a partition log `t-0` in the fixture with the given configs. */
export function openLog(f: StorageFixture, overrides: Record<string, string> = {}, extra: Partial<PartitionLogOptions> = {}): PartitionLog {
  return PartitionLog.open({ storage: f.storage, dir: join(f.root, 't-0'), topic: 't', partition: 0, config: config(overrides), logger: memoryLogger(), ...extra })
}

export const STORAGE_KINDS = ['file', 'memory'] as const

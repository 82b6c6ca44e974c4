import { afterEach, describe, expect, it } from 'vitest'
import { LogManager } from '../log/log-manager.js'
import { MemoryStorage } from '../log/memory-store.js'
import { DEFAULT_GROUP_CONFIG } from './config.js'
import { loadGroupState } from './group-loader.js'
import { GroupLog } from './group-log.js'
import { encodeKey, encodeOffsetValue } from './records.js'

const opened: LogManager[] = []
afterEach(async () => {
  for (const logs of opened.splice(0)) await logs.close()
})

function quietLogger() {
  const lines: string[] = []
  return { lines, logger: { info: () => {}, warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) } }
}

describe('loadGroupState', () => {
  it('replays the latest value of every key, honouring tombstones, and skips what it cannot read', async () => {
    const logs = await LogManager.open({ storage: new MemoryStorage(), dataDir: '/d', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0, flushCheckIntervalMs: 0, checkpointIntervalMs: 0 })
    opened.push(logs)
    const { lines, logger } = quietLogger()
    const writer = new GroupLog(logs, { ...DEFAULT_GROUP_CONFIG, offsetsTopicPartitions: 3 }, logger, () => 1)
    const key = (partition: number) => encodeKey({ kind: 'offset', groupId: 'g', topic: 'orders', partition })
    const value = (offset: bigint) => encodeOffsetValue({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: -1 })
    writer.append('g', [
      { key: key(0), value: value(1n) },
      { key: key(1), value: value(2n) },
    ])
    writer.append('g', [
      { key: key(0), value: value(3n) },
      { key: key(1), value: null },
      // A kind from a newer broker, and a damaged value: both skipped.
      { key: Buffer.from([0, 42, 1, 2]), value: Buffer.from('future') },
      { key: key(2), value: Buffer.from([0, 0, 1]) },
    ])
    writer.append('g', [{ key: encodeKey({ kind: 'group', groupId: 'gone' }), value: null }])

    const state = loadGroupState(logs, logger)
    expect([...state.offsets.get('g')!.get('orders')!.entries()].map(([p, o]) => [p, o.offset])).toEqual([[0, 3n]])
    expect(state.groups.size).toBe(0)
    expect(state.records).toBe(7)
    expect(lines.some((l) => l.includes('skipped 2 record(s)'))).toBe(true)
    expect(lines.some((l) => l.includes('skipped an unreadable record'))).toBe(true)
  }, 10_000)
})

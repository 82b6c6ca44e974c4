import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerOptions } from './log-manager.js'
import { MemoryStorage } from './memory-store.js'
import { METADATA_FILE } from './metadata-file.js'
import { STORAGE_KINDS, batch, decode, fakeClock, makeStorage, memoryLogger, values, type StorageFixture } from './test-helpers.js'

const NO_TIMERS = { retentionCheckIntervalMs: 0, cleanerIntervalMs: 0, flushCheckIntervalMs: 0, checkpointIntervalMs: 0 }

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

describe.each(STORAGE_KINDS)('LogManager (%s storage)', (kind) => {
  let f: StorageFixture
  let manager: LogManager
  const open = (options: Partial<LogManagerOptions> = {}) =>
    LogManager.open({ storage: f.storage, dataDir: f.root, logger: memoryLogger(), ...NO_TIMERS, ...options }).then((m) => (manager = m))

  beforeEach(async () => {
    f = makeStorage(kind)
    await open()
  })
  afterEach(async () => {
    await manager.close()
    f.cleanup()
  })

  it("creates topics in Kafka's layout and knows them after a restart", async () => {
    const created = manager.createTopic('orders', { partitions: 3, configs: { 'retention.ms': '60000' } })
    expect(created).toMatchObject({ name: 'orders', partitions: 3, configs: { 'retention.ms': '60000' }, isInternal: false })
    expect(created.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(f.storage.list(f.root).sort()).toEqual(expect.arrayContaining(['orders-0', 'orders-1', 'orders-2', METADATA_FILE]))
    expect(f.storage.readAll(join(f.root, 'orders-1', 'partition.metadata'))!.toString()).toContain(`topic_id: ${created.topicId}`)
    manager.log('orders', 1).append(batch(values(3)))
    await manager.close()
    expect(f.storage.exists(join(f.root, CLEAN_SHUTDOWN_FILE))).toBe(true)
    await open()
    expect(manager.hadCleanShutdown).toBe(true)
    expect(f.storage.exists(join(f.root, CLEAN_SHUTDOWN_FILE))).toBe(false)
    expect(manager.topics()).toEqual([created])
    expect(manager.topicById(created.topicId)?.name).toBe('orders')
    expect(manager.topicConfig('orders').retentionMs).toBe(60000)
    expect(manager.log('orders', 1).append(batch(values(1))).baseOffset).toBe(3)
  })

  it('refuses bad topics with the error code the broker answers', () => {
    manager.createTopic('a.b')
    expect(codeOf(() => manager.createTopic('bad/name'))).toBe('INVALID_TOPIC_EXCEPTION')
    expect(codeOf(() => manager.createTopic('a_b'))).toBe('INVALID_TOPIC_EXCEPTION')
    expect(codeOf(() => manager.createTopic('a.b'))).toBe('TOPIC_ALREADY_EXISTS')
    expect(codeOf(() => manager.createTopic('z', { partitions: 0 }))).toBe('INVALID_PARTITIONS')
    expect(codeOf(() => manager.createTopic('z', { partitions: 1_000_000 }))).toBe('INVALID_PARTITIONS')
    expect(codeOf(() => manager.createTopic('z', { replicationFactor: 3 }))).toBe('INVALID_REPLICATION_FACTOR')
    expect(codeOf(() => manager.createTopic('z', { configs: { 'segment.ms': '0' } }))).toBe('INVALID_CONFIG')
    expect(codeOf(() => manager.log('z', 0))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(manager.createTopic('z', { partitions: 2, validateOnly: true }).partitions).toBe(2)
    expect(manager.topic('z')).toBeUndefined()
    expect(manager.createTopic('__consumer_offsets', { partitions: 2, configs: { 'cleanup.policy': 'compact' } }).isInternal).toBe(true)
  })

  it('deletes a topic, its data and wakes waiting fetches; the name can be reused', async () => {
    const first = manager.createTopic('t', { partitions: 2 })
    const log = manager.log('t', 0)
    log.append(batch(values(2)))
    const woke = log.waitForAppend()
    manager.deleteTopic('t')
    await expect(woke).resolves.toBe(true)
    expect(codeOf(() => log.read(0, 100))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(manager.getLog('t', 0)).toBeUndefined()
    expect(f.storage.list(f.root).filter((n) => n.startsWith('t-'))).toEqual([])
    expect(codeOf(() => manager.deleteTopic('t'))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    const second = manager.createTopic('t')
    expect(second.topicId).not.toBe(first.topicId)
    expect(manager.log('t', 0).logEndOffset).toBe(0)
  })

  it('adds partitions to an existing topic', async () => {
    manager.createTopic('t', { partitions: 2 })
    expect(codeOf(() => manager.createPartitions('t', 2))).toBe('INVALID_PARTITIONS')
    expect(codeOf(() => manager.createPartitions('t', 1))).toBe('INVALID_PARTITIONS')
    expect(codeOf(() => manager.createPartitions('nope', 4))).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(manager.createPartitions('t', 4).partitions).toBe(4)
    manager.log('t', 3).append(batch(values(1)))
    await manager.close()
    await open()
    expect(manager.topic('t')?.partitions).toBe(4)
    expect(manager.log('t', 3).logEndOffset).toBe(1)
  })

  it('alters topic configs, applies them to the logs at once and persists them', async () => {
    manager.createTopic('t', { configs: { 'retention.ms': '5000' } })
    const size = batch(values(2)).length
    manager.alterTopicConfigs('t', [{ name: 'segment.bytes', op: 'set', value: String(size) }])
    const log = manager.log('t', 0)
    log.append(batch(values(2)))
    log.append(batch(values(2)))
    expect(log.segments).toHaveLength(2)
    expect(codeOf(() => manager.alterTopicConfigs('t', [{ name: 'segment.bytes', op: 'set', value: 'big' }]))).toBe('INVALID_CONFIG')
    manager.alterTopicConfigs('t', [{ name: 'cleanup.policy', op: 'set', value: 'compact' }], { replace: true })
    expect(manager.topic('t')?.configs).toEqual({ 'cleanup.policy': 'compact' })
    await manager.close()
    await open()
    expect(manager.topicConfig('t').cleanupPolicy).toEqual({ delete: false, compact: true })
    expect(manager.describeTopicConfigs('t').find((e) => e.name === 'cleanup.policy')).toMatchObject({ value: 'compact', source: 'topic' })
  })

  it('takes broker defaults by broker name and changes them at runtime', async () => {
    await manager.close()
    await open({ brokerConfigs: { 'log.retention.ms': '1234' } })
    manager.createTopic('t')
    expect(manager.topicConfig('t').retentionMs).toBe(1234)
    expect(manager.describeTopicConfigs('t').find((e) => e.name === 'retention.ms')).toMatchObject({ value: '1234', source: 'broker' })
    manager.alterBrokerDefaults([{ name: 'log.retention.ms', op: 'set', value: '99' }])
    expect(manager.log('t', 0).config.retentionMs).toBe(99)
    await manager.close()
    await open()
    expect(manager.topicConfig('t').retentionMs).toBe(99)
  })

  it('recovers after an unclean shutdown and moves unknown directories aside', async () => {
    manager.createTopic('t')
    manager.log('t', 0).append(batch(values(3)))
    await manager.close()
    f.storage.remove(join(f.root, CLEAN_SHUTDOWN_FILE))
    const segment = f.storage.open(join(f.root, 't-0', '00000000000000000000.log'))
    segment.append(Buffer.from('torn'))
    segment.close()
    f.storage.mkdirs(join(f.root, 'ghost-0'))
    f.storage.mkdirs(join(f.root, 'old-0.abc-delete'))
    f.storage.mkdirs(join(f.root, 'lost+found'))
    const logger = memoryLogger()
    await open({ logger })
    expect(manager.hadCleanShutdown).toBe(false)
    expect(manager.log('t', 0).logEndOffset).toBe(3)
    expect(logger.lines.join('\n')).toMatch(/truncated 4 bytes/)
    const names = f.storage.list(f.root)
    expect(names.some((n) => n.startsWith('ghost-0.') && n.endsWith('-stray'))).toBe(true)
    expect(names).not.toContain('old-0.abc-delete')
    expect(names).toContain('lost+found')
    expect(decode(manager.log('t', 0).read(0, 1 << 20).records)).toHaveLength(3)
  })

  it('runs retention from its timer without letting errors escape', async () => {
    await manager.close()
    const clock = fakeClock()
    const logger = memoryLogger()
    await open({ clock: clock.now, logger, retentionCheckIntervalMs: 10 })
    manager.createTopic('t', { configs: { 'retention.ms': '1000', 'segment.bytes': '100' } })
    manager.createTopic('u')
    const log = manager.log('t', 0)
    log.append(batch(values(2, 'v', clock.now())))
    log.append(batch(values(2, 'v', clock.now())))
    manager.log('u', 0).applyRetention = () => {
      throw new Error('boom')
    }
    clock.advance(5000)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(log.logStartOffset).toBe(4)
    expect(logger.lines.join('\n')).toMatch(/error retention of u-0 failed Error: boom/)
  })
})

describe('LogManager data directory', () => {
  it('locks a file data directory against a second broker', async () => {
    const f = makeStorage('file')
    const first = await LogManager.open({ dataDir: f.root, ...NO_TIMERS })
    await expect(LogManager.open({ dataDir: f.root, ...NO_TIMERS })).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' })
    await first.close()
    const second = await LogManager.open({ dataDir: f.root, ...NO_TIMERS })
    await second.close()
    f.cleanup()
  })

  it("runs in memory with storage: 'memory'", async () => {
    const manager = await LogManager.open({ storage: 'memory', ...NO_TIMERS })
    manager.createTopic('t')
    expect(manager.log('t', 0).append(batch(values(2))).lastOffset).toBe(1)
    expect(manager.storage).toBeInstanceOf(MemoryStorage)
    await manager.close()
  })
})

import { ErrorCode } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { LogManager } from '../log/log-manager.js'
import { MemoryStorage } from '../log/memory-store.js'
import { silentBrokerLogger } from '../logger.js'
import { GroupCoordinator } from './coordinator.js'
import type { JoinGroupParams } from './join.js'

const open: Array<{ groups: GroupCoordinator; logs: LogManager }> = []
afterEach(async () => {
  for (const { groups, logs } of open.splice(0)) {
    groups.close()
    await logs.close()
  }
})

/** A coordinator over memory storage that survives "restarts" (reopening on the same storage), with a settable clock. */
async function start(storage = new MemoryStorage(), clock = { now: 1_700_000_000_000 }) {
  const logs = await LogManager.open({ storage, dataDir: '/data', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0, flushCheckIntervalMs: 0, checkpointIntervalMs: 0 })
  if (!logs.topic('orders')) logs.createTopic('orders', { partitions: 3 })
  if (!logs.topic('audit')) logs.createTopic('audit', { partitions: 1 })
  const groups = GroupCoordinator.open({ logs, logger: silentBrokerLogger, clock: () => clock.now, config: { initialRebalanceDelayMs: 0, offsetsRetentionCheckIntervalMs: 0, minSessionTimeoutMs: 10 } })
  const running = { groups, logs }
  open.push(running)
  const restart = async () => {
    groups.close()
    await logs.close()
    open.splice(open.indexOf(running), 1)
    return start(storage, clock)
  }
  return { groups, logs, clock, restart }
}

const offset = (partition: number, value: bigint) => ({ partition, offset: value, leaderEpoch: -1, metadata: '', commitTimestamp: -1 })
const fetchOne = (groups: GroupCoordinator, groupId: string, partition: number, requireStable = false) =>
  groups.fetchOffsets(groupId, [{ name: 'orders', partitions: [partition] }], requireStable).topics[0]!.partitions[0]!

function joinParams(groupId: string, topics: string[], overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  const metadata = Buffer.alloc(2 + 4 + topics.reduce((n, t) => n + 2 + Buffer.byteLength(t), 0) + 4)
  let at = metadata.writeInt16BE(0, 0)
  at = metadata.writeInt32BE(topics.length, at)
  for (const t of topics) {
    at = metadata.writeInt16BE(Buffer.byteLength(t), at)
    at += metadata.write(t, at)
  }
  metadata.writeInt32BE(-1, at)
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'unit',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata }],
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    reason: null,
    ...overrides,
  }
}

/** One member that joins and syncs; the group is Stable afterwards. */
async function stableGroup(groups: GroupCoordinator, groupId: string, topics: string[]) {
  const joined = await groups.joinGroup(joinParams(groupId, topics))
  expect(joined.errorCode).toBe(ErrorCode.NONE)
  const synced = await groups.syncGroup({ groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map() })
  expect(synced.errorCode).toBe(ErrorCode.NONE)
  return joined
}

describe('transactional offsets (the API TxnOffsetCommit and EndTxn use)', () => {
  it('keeps staged offsets invisible until commit, and UNSTABLE for RequireStable fetches', async () => {
    const { groups } = await start()
    groups.commitOffsets({ groupId: 'eos', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders', partitions: [offset(0, 5n)] }] })
    const staged = groups.stageTransactionalOffsets('eos', 1000n, 0, [{ name: 'orders', partitions: [offset(0, 9n), offset(1, 3n)] }, { name: 'missing', partitions: [offset(0, 1n)] }])
    expect(staged.map((t) => t.partitions.map((p) => p.errorCode))).toEqual([[0, 0], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 0)).toBe(true)
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 2)).toBe(false)
    expect(fetchOne(groups, 'eos', 0).committedOffset).toBe(5n)
    expect(fetchOne(groups, 'eos', 0, true)).toMatchObject({ committedOffset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT })
    expect(fetchOne(groups, 'eos', 2, true)).toMatchObject({ committedOffset: -1n, errorCode: ErrorCode.NONE })

    groups.completeTransactionalOffsets(1000n, 0, true)
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 0)).toBe(false)
    expect(fetchOne(groups, 'eos', 0, true)).toMatchObject({ committedOffset: 9n, errorCode: ErrorCode.NONE })
    expect(fetchOne(groups, 'eos', 1).committedOffset).toBe(3n)
    // Completing again (a retried marker) changes nothing.
    groups.completeTransactionalOffsets(1000n, 0, true)
    expect(fetchOne(groups, 'eos', 0).committedOffset).toBe(9n)
  })

  it('drops staged offsets on abort, ignores a stale epoch, and lets a later plain commit win', async () => {
    const { groups } = await start()
    groups.stageTransactionalOffsets('eos', 7n, 2, [{ name: 'orders', partitions: [offset(0, 50n)] }])
    groups.completeTransactionalOffsets(7n, 1, false)
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 0)).toBe(true)
    groups.completeTransactionalOffsets(7n, 2, false)
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 0)).toBe(false)
    expect(fetchOne(groups, 'eos', 0).committedOffset).toBe(-1n)

    groups.stageTransactionalOffsets('eos', 8n, 0, [{ name: 'orders', partitions: [offset(0, 60n)] }])
    groups.commitOffsets({ groupId: 'eos', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders', partitions: [offset(0, 70n)] }] })
    groups.completeTransactionalOffsets(8n, 0, true)
    expect(fetchOne(groups, 'eos', 0).committedOffset).toBe(70n)
  })

  it('keeps staged and committed transactional offsets across a restart', async () => {
    const first = await start()
    first.groups.stageTransactionalOffsets('eos', 11n, 0, [{ name: 'orders', partitions: [offset(2, 12n)] }])
    first.groups.stageTransactionalOffsets('eos', 12n, 0, [{ name: 'orders', partitions: [offset(1, 4n)] }])
    first.groups.completeTransactionalOffsets(12n, 0, true)
    const { groups } = await first.restart()
    expect(groups.hasPendingTransactionalOffsets('eos', 'orders', 2)).toBe(true)
    expect(fetchOne(groups, 'eos', 1).committedOffset).toBe(4n)
    groups.completeTransactionalOffsets(11n, 0, true)
    expect(fetchOne(groups, 'eos', 2).committedOffset).toBe(12n)
    expect(groups.listGroups().groups.map((g) => g.groupId)).toEqual(['eos'])
  })

  it('validates the generation and member of a transactional commit (KIP-447)', async () => {
    const { groups } = await start()
    expect(groups.validateGeneration('new-group', -1, '', null)).toBe(ErrorCode.NONE)
    expect(groups.validateGeneration('new-group', 1, 'someone', null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(groups.validateGeneration('', -1, '', null)).toBe(ErrorCode.INVALID_GROUP_ID)
    const joined = await stableGroup(groups, 'txn-group', ['orders'])
    expect(groups.validateGeneration('txn-group', joined.generationId, joined.memberId, null)).toBe(ErrorCode.NONE)
    expect(groups.validateGeneration('txn-group', joined.generationId + 1, joined.memberId, null)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(groups.validateGeneration('txn-group', joined.generationId, 'other', null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    // Older TxnOffsetCommit versions carry no member: accepted even while the group has members.
    expect(groups.validateGeneration('txn-group', -1, '', null)).toBe(ErrorCode.NONE)
  })
})

describe('offset expiration (KIP-211)', () => {
  it('expires a consumer group’s offsets a retention period after it became empty, then removes the group', async () => {
    const { groups, clock } = await start()
    const retention = groups.config.offsetsRetentionMs
    const joined = await stableGroup(groups, 'billing', ['orders'])
    groups.commitOffsets({ groupId: 'billing', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders', partitions: [offset(0, 1n)] }] })
    // Long after the commit, but the group still has its member: nothing expires.
    clock.now += 2 * retention
    expect(groups.expireOffsets()).toBe(0)
    groups.leaveGroup('billing', [{ memberId: joined.memberId, groupInstanceId: null, reason: null }])
    const emptySince = clock.now
    expect(groups.describeGroup('billing').groupState).toBe('Empty')
    expect(groups.expireOffsets(emptySince + retention - 1)).toBe(0)
    expect(groups.expireOffsets(emptySince + retention)).toBe(1)
    expect(fetchOne(groups, 'billing', 0).committedOffset).toBe(-1n)
    expect(groups.describeGroup('billing').groupState).toBe('Dead')
  })

  it('expires offsets of topics a stable consumer group no longer subscribes to, by commit time', async () => {
    const { groups, clock } = await start()
    const retention = groups.config.offsetsRetentionMs
    const joined = await stableGroup(groups, 'moved-on', ['orders'])
    const topics = [
      { name: 'orders', partitions: [offset(0, 1n)] },
      { name: 'audit', partitions: [offset(0, 2n)] },
    ]
    groups.commitOffsets({ groupId: 'moved-on', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, retentionTimeMs: -1, topics })
    expect(groups.expireOffsets(clock.now + retention)).toBe(1)
    expect(groups.fetchOffsets('moved-on', null, false).topics.map((t) => t.name)).toEqual(['orders'])
  })

  it('keeps the time a group became empty across a restart', async () => {
    const first = await start()
    const joined = await stableGroup(first.groups, 'sleepy', ['orders'])
    first.groups.commitOffsets({ groupId: 'sleepy', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders', partitions: [offset(0, 1n)] }] })
    first.groups.leaveGroup('sleepy', [{ memberId: joined.memberId, groupInstanceId: null, reason: null }])
    const emptySince = first.clock.now
    first.clock.now += 1_000
    const { groups } = await first.restart()
    expect(groups.describeGroup('sleepy').groupState).toBe('Empty')
    expect(groups.expireOffsets(emptySince + groups.config.offsetsRetentionMs - 1)).toBe(0)
    expect(groups.expireOffsets(emptySince + groups.config.offsetsRetentionMs)).toBe(1)
  })
})

describe('closing', () => {
  it('answers parked joins NOT_COORDINATOR and everything after COORDINATOR_NOT_AVAILABLE', async () => {
    const { groups } = await start()
    await stableGroup(groups, 'parked', ['orders'])
    // A second member's join parks until the first rejoins, which never happens.
    const parked = groups.joinGroup(joinParams('parked', ['orders']))
    groups.close()
    expect((await parked).errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect((await groups.joinGroup(joinParams('parked', ['orders']))).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    expect(groups.heartbeat({ groupId: 'parked', generationId: 1, memberId: 'x', groupInstanceId: null })).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    expect(groups.fetchOffsets('parked', null, false).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  })
})

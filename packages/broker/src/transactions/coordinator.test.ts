import { ATTRIBUTE_CONTROL, KafkaError, decodeControlRecord, decodeRecordBatches } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { GroupCoordinator } from '../groups/coordinator.js'
import { TRANSACTION_STATE_TOPIC } from '../groups/internal-topics.js'
import { LogManager } from '../log/log-manager.js'
import { MemoryStorage } from '../log/memory-store.js'
import { batch, values } from '../log/test-helpers.js'
import { silentBrokerLogger } from '../logger.js'
import { ProducerStateManager } from '../producers/manager.js'
import { TransactionCoordinator } from './coordinator.js'
import { TransactionLog } from './txn-log.js'

interface Running {
  logs: LogManager
  groups: GroupCoordinator
  producers: ProducerStateManager
  txns: TransactionCoordinator
}
const open: Running[] = []
afterEach(async () => {
  for (const r of open.splice(0)) await stop(r)
})
async function stop(r: Running): Promise<void> {
  r.txns.close()
  r.groups.close()
  r.producers.close()
  await r.logs.close()
}

/** A coordinator over memory storage that survives "restarts" (reopening on the same storage), with a settable clock. */
async function start(storage = new MemoryStorage(), clock = { now: 1_700_000_000_000 }) {
  const logs = await LogManager.open({ storage, dataDir: '/data', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0, flushCheckIntervalMs: 0, checkpointIntervalMs: 0 })
  if (!logs.topic('orders')) logs.createTopic('orders', { partitions: 2 })
  const now = () => clock.now
  const groups = GroupCoordinator.open({ logs, logger: silentBrokerLogger, clock: now, config: { initialRebalanceDelayMs: 0, offsetsRetentionCheckIntervalMs: 0, transactionStatePartitions: 3, offsetsTopicPartitions: 3 } })
  const producers = new ProducerStateManager({ logger: silentBrokerLogger, clock: now, config: { expirationCheckIntervalMs: 0 } })
  const txns = TransactionCoordinator.open({ logs, producers, groups, logger: silentBrokerLogger, clock: now, config: { abortTimedOutIntervalMs: 0, removeExpiredIntervalMs: 0 } })
  const running = { logs, groups, producers, txns }
  open.push(running)
  const restart = async () => {
    open.splice(open.indexOf(running), 1)
    await stop(running)
    return start(storage, clock)
  }
  return { ...running, storage, clock, restart }
}

const init = (txns: TransactionCoordinator, transactionalId: string, timeoutMs = 60_000) => {
  const r = txns.initProducerId({ transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1n, producerEpoch: -1 })
  expect(r.error).toBe('NONE')
  return { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch }
}

/** Appends a transactional batch through the producer state, as Produce does. */
function write(r: Running, producer: { producerId: bigint; producerEpoch: number }, partition: number, seq: number): void {
  const log = r.logs.log('orders', partition)
  r.producers.track(log)
  log.append(batch(values(1, `s${seq}-`), { producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: seq, isTransactional: true }))
}

/** The transaction markers of a partition, as `COMMIT@offset` / `ABORT@offset`. */
function markers(logs: LogManager, partition: number): string[] {
  const log = logs.log('orders', partition)
  return decodeRecordBatches(log.read(0, 1 << 20).records)
    .filter((b) => (b.attributes & ATTRIBUTE_CONTROL) !== 0)
    .map((b) => `${decodeControlRecord(b.records[0]!).marker}@${b.baseOffset}`)
}

describe('the transaction coordinator', () => {
  it('commits: prepares, writes a marker to each partition, and completes; the LSO follows', async () => {
    const r = await start()
    const p = init(r.txns, 'app')
    expect(r.txns.addPartitions(p, [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]).map((x) => x.error)).toEqual(['NONE', 'NONE'])
    write(r, p, 0, 0)
    write(r, p, 1, 0)
    expect(r.producers.lastStableOffset(r.logs.log('orders', 0))).toBe(0)
    expect(r.txns.endTxn(p, true)).toBe('NONE')
    expect(markers(r.logs, 0)).toEqual(['COMMIT@1'])
    expect(markers(r.logs, 1)).toEqual(['COMMIT@1'])
    expect(r.producers.lastStableOffset(r.logs.log('orders', 0))).toBe(2)
    expect(r.txns.describe('app')).toMatchObject({ state: 'CompleteCommit', topics: [] })
    expect(r.txns.list({ states: ['CompleteCommit'], producerIds: [], minDurationMs: -1 }).transactions).toEqual([{ transactionalId: 'app', producerId: p.producerId, state: 'CompleteCommit' }])
    expect(r.txns.list({ states: ['Ongoing'], producerIds: [], minDurationMs: -1 }).transactions).toEqual([])
  })

  it('makes transactional offsets visible on commit only', async () => {
    const r = await start()
    const p = init(r.txns, 'offsets')
    const stage = (offset: bigint) => {
      expect(r.txns.addOffsets(p, 'g')).toBe('NONE')
      expect(r.txns.checkTxnOffsetCommit(p, 'g')).toBe('NONE')
      r.groups.stageTransactionalOffsets('g', p.producerId, p.producerEpoch, [{ name: 'orders', partitions: [{ partition: 0, offset, leaderEpoch: -1, metadata: '', commitTimestamp: -1 }] }])
    }
    const committed = () => r.groups.fetchOffsets('g', [{ name: 'orders', partitions: [0] }], false).topics[0]!.partitions[0]!.committedOffset
    expect(r.txns.checkTxnOffsetCommit(p, 'g')).toBe('INVALID_TXN_STATE')
    stage(5n)
    expect(r.groups.hasPendingTransactionalOffsets('g', 'orders', 0)).toBe(true)
    expect(r.txns.endTxn(p, false)).toBe('NONE')
    expect(committed()).toBe(-1n)
    stage(7n)
    expect(r.txns.endTxn(p, true)).toBe('NONE')
    expect(committed()).toBe(7n)
    expect(r.groups.hasPendingTransactionalOffsets('g', 'orders', 0)).toBe(false)
  })

  it('keeps a decided transaction pending while a marker cannot be written, and finishes it later', async () => {
    const r = await start()
    const p = init(r.txns, 'stuck')
    r.txns.addPartitions(p, [{ topic: 'orders', partition: 0 }])
    write(r, p, 0, 0)
    const append = r.producers.appendMarker.bind(r.producers)
    r.producers.appendMarker = () => {
      throw new KafkaError('disk full', { code: 'KAFKA_STORAGE_ERROR' })
    }
    expect(r.txns.endTxn(p, true)).toBe('NONE')
    expect(r.txns.describe('stuck').state).toBe('PrepareCommit')
    expect(r.txns.endTxn(p, true)).toBe('CONCURRENT_TRANSACTIONS')
    expect(r.txns.endTxn(p, false)).toBe('INVALID_TXN_STATE')
    expect(r.txns.addPartitions(p, [{ topic: 'orders', partition: 1 }])[0]!.error).toBe('CONCURRENT_TRANSACTIONS')
    expect(r.txns.initProducerId({ transactionalId: 'stuck', transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 }).error).toBe('CONCURRENT_TRANSACTIONS')
    r.producers.appendMarker = append
    r.txns.abortTimedOutTransactions()
    expect(r.txns.describe('stuck').state).toBe('CompleteCommit')
    expect(markers(r.logs, 0)).toEqual(['COMMIT@1'])
  })

  it('completes a transaction found prepared at start-up, and reloads everything else as it was', async () => {
    const first = await start()
    const p = init(first.txns, 'prepared')
    first.txns.addPartitions(p, [{ topic: 'orders', partition: 1 }])
    write(first, p, 1, 0)
    const open = init(first.txns, 'still-open', 1000)
    first.txns.addPartitions(open, [{ topic: 'orders', partition: 0 }])
    write(first, open, 0, 0)
    // As if the broker died right after persisting PrepareAbort.
    new TransactionLog(first.logs, () => first.logs.topic(TRANSACTION_STATE_TOPIC)!, () => first.clock.now).writeTransaction({
      transactionalId: 'prepared',
      producerId: p.producerId,
      previousProducerId: -1n,
      producerEpoch: p.producerEpoch,
      lastProducerEpoch: -1,
      timeoutMs: 60_000,
      state: 'PrepareAbort',
      partitions: [{ topic: 'orders', partition: 1 }],
      startTimestamp: first.clock.now,
      lastUpdateTimestamp: first.clock.now,
    })
    const second = await first.restart()
    expect(second.txns.describe('prepared')).toMatchObject({ state: 'CompleteAbort', producerId: p.producerId })
    expect(markers(second.logs, 1)).toEqual(['ABORT@1'])
    expect(second.txns.describe('still-open')).toMatchObject({ state: 'Ongoing', topics: [{ topic: 'orders', partitions: [0] }] })
    expect(second.producers.lastStableOffset(second.logs.log('orders', 0))).toBe(0)
    second.clock.now += 1_000
    expect(second.txns.abortTimedOutTransactions()).toBe(1)
    expect(second.txns.describe('still-open')).toMatchObject({ state: 'CompleteAbort', producerEpoch: open.producerEpoch + 1 })
    expect(markers(second.logs, 0)).toEqual(['ABORT@1'])
    expect(second.producers.lastStableOffset(second.logs.log('orders', 0))).toBe(2)
  })

  it('persists producer id reservations, rotates exhausted epochs, and expires idle transactional ids', async () => {
    const first = await start()
    const a = first.txns.initProducerId({ transactionalId: null, transactionTimeoutMs: 0, producerId: -1n, producerEpoch: -1 })
    expect(a).toMatchObject({ error: 'NONE', producerEpoch: 0 })
    const tired = init(first.txns, 'tired')
    new TransactionLog(first.logs, () => first.logs.topic(TRANSACTION_STATE_TOPIC)!, () => first.clock.now).writeTransaction({
      transactionalId: 'tired',
      producerId: tired.producerId,
      previousProducerId: -1n,
      producerEpoch: 32766,
      lastProducerEpoch: -1,
      timeoutMs: 60_000,
      state: 'CompleteCommit',
      partitions: [],
      startTimestamp: -1,
      lastUpdateTimestamp: first.clock.now,
    })
    const second = await first.restart()
    const b = second.txns.initProducerId({ transactionalId: null, transactionTimeoutMs: 0, producerId: -1n, producerEpoch: -1 })
    expect(b.producerId).toBeGreaterThan(tired.producerId)
    const rotated = second.txns.initProducerId({ transactionalId: 'tired', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
    expect(rotated).toMatchObject({ error: 'NONE', producerEpoch: 0 })
    expect(rotated.producerId).toBeGreaterThan(b.producerId)
    second.clock.now += 7 * 24 * 3_600_000
    expect(second.txns.expireTransactionalIds()).toBe(1)
    expect(second.txns.describe('tired').error).toBe('TRANSACTIONAL_ID_NOT_FOUND')
    const third = await second.restart()
    expect(third.txns.describe('tired').error).toBe('TRANSACTIONAL_ID_NOT_FOUND')
    const c = third.txns.initProducerId({ transactionalId: null, transactionTimeoutMs: 0, producerId: -1n, producerEpoch: -1 })
    expect(c.producerId).toBeGreaterThan(rotated.producerId)
  })
})

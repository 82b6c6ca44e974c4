import { KafkaError } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryStorage } from '../log/memory-store.js'
import { PartitionLog } from '../log/partition-log.js'
import { batch, config, fakeClock, memoryLogger, values } from '../log/test-helpers.js'
import { silentBrokerLogger } from '../logger.js'
import { producerStateError } from './errors.js'
import { ProducerStateManager } from './manager.js'
import { listSnapshots } from './snapshot.js'

const managers: ProducerStateManager[] = []
afterEach(() => {
  for (const m of managers.splice(0)) m.close()
})

function open(storage = new MemoryStorage(), overrides: Record<string, string> = {}, cleanShutdown = true, clock = fakeClock()) {
  const log = PartitionLog.open({ storage, dir: '/data/t-0', topic: 't', partition: 0, config: config(overrides), cleanShutdown, logger: memoryLogger(), clock: clock.now })
  const producers = new ProducerStateManager({ logger: silentBrokerLogger, clock: clock.now, config: { expirationCheckIntervalMs: 0, producerIdExpirationMs: 60_000 } })
  managers.push(producers)
  producers.track(log)
  return { storage, log, producers, clock }
}

const data = (pid: bigint, seq: number, n = 1, epoch = 0, tag = 'v') => batch(values(n, `${tag}${seq}-`), { producerId: pid, producerEpoch: epoch, baseSequence: seq })
const txn = (pid: bigint, seq: number, n = 1, epoch = 0) => batch(values(n, `t${seq}-`), { producerId: pid, producerEpoch: epoch, baseSequence: seq, isTransactional: true })
const code = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    return (err as KafkaError).code
  }
  return 'NONE'
}

describe('the producer state manager', () => {
  it('answers retries with their first offsets, checks sequences, and tracks transactions into the LSO and abort index', () => {
    const { log, producers } = open()
    expect(log.append(data(1n, 0, 3)).baseOffset).toBe(0)
    expect(log.append(data(1n, 0, 3)).baseOffset).toBe(0)
    expect(log.logEndOffset).toBe(3)
    expect(code(() => log.append(data(1n, 4)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(log.append(txn(2n, 0, 2)).baseOffset).toBe(3)
    expect(log.append(data(1n, 3)).baseOffset).toBe(5)
    expect(producers.lastStableOffset(log)).toBe(3)
    producers.appendMarker(log, { producerId: 2n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
    expect(producers.lastStableOffset(log)).toBe(7)
    const { records } = log.read(0, 1 << 20)
    expect(producers.abortedTransactions(log, 0, records)).toEqual([{ producerId: 2n, firstOffset: 3n }])
    expect(producers.abortedTransactions(log, 0, Buffer.alloc(0))).toEqual([])
    // The marker moved nothing for producer 1 and closed producer 2's transaction.
    expect(producers.activeProducers(log).map((e) => [e.producerId, e.currentTxnFirstOffset])).toEqual([
      [1n, -1],
      [2n, -1],
    ])
    // An older epoch's marker is refused.
    producers.appendMarker(log, { producerId: 2n, producerEpoch: 3, commit: true, coordinatorEpoch: 0 })
    expect(code(() => producers.appendMarker(log, { producerId: 2n, producerEpoch: 1, commit: true, coordinatorEpoch: 0 }))).toBe('INVALID_PRODUCER_EPOCH')
  })

  it('asks the transaction verifier about transactional batches', () => {
    const { log, producers } = open()
    producers.setTransactionVerifier((pid, epoch, topic, partition) => (pid === 9n ? producerStateError('INVALID_TXN_STATE', `${pid}/${epoch} may not write to ${topic}-${partition}`) : undefined))
    expect(code(() => log.append(txn(9n, 0)))).toBe('INVALID_TXN_STATE')
    expect(code(() => log.append(data(9n, 0)))).toBe('NONE')
    expect(code(() => log.append(txn(8n, 0)))).toBe('NONE')
  })

  it('rebuilds its state after a crash from the last snapshot and the log after it', () => {
    const storage = new MemoryStorage()
    const first = open(storage)
    for (let i = 0; i < 6; i++) first.log.append(data(1n, i * 2, 2))
    first.log.roll()
    first.log.append(txn(2n, 0))
    first.producers.appendMarker(first.log, { producerId: 2n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
    first.log.append(txn(3n, 0))
    expect(listSnapshots(storage, '/data/t-0')).toEqual([0, 12])
    for (const name of storage.list('/data/t-0')) if (name.endsWith('.txnindex')) storage.remove(`/data/t-0/${name}`)
    const end = first.log.logEndOffset
    // No close: the second opening sees what a crash leaves.
    const second = open(storage, {}, false)
    expect(second.log.logEndOffset).toBe(end)
    expect(second.log.append(data(1n, 10, 2)).baseOffset).toBe(10)
    expect(code(() => second.log.append(data(1n, 13)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(second.producers.lastStableOffset(second.log)).toBe(end - 1)
    const { records } = second.log.read(12, 1 << 20, { maxOffset: end })
    expect(second.producers.abortedTransactions(second.log, 12, records)).toEqual([{ producerId: 2n, firstOffset: 12n }])
  })

  it('follows a truncated log', () => {
    const { log } = open()
    for (let i = 0; i < 4; i++) log.append(data(1n, i))
    log.truncateTo(2)
    expect(code(() => log.append(data(1n, 4)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(log.append(data(1n, 2)).baseOffset).toBe(2)
  })

  it('forgets producers silent for producer.id.expiration.ms, except those with an open transaction', () => {
    const { log, producers, clock } = open()
    const at = (seq: number, txnal = false) => batch(values(1, 'x', clock.now()), { producerId: txnal ? 2n : 1n, producerEpoch: 0, baseSequence: seq, isTransactional: txnal })
    log.append(at(0))
    log.append(at(0, true))
    clock.advance(59_000)
    expect(producers.expireProducers()).toBe(0)
    clock.advance(2_000)
    expect(producers.expireProducers()).toBe(1)
    expect(producers.activeProducers(log).map((e) => e.producerId)).toEqual([2n])
    // Unknown again: any first sequence is accepted.
    expect(code(() => log.append(at(7)))).toBe('NONE')
  })

  it('snapshots every tracked partition on close and reloads from it', () => {
    const storage = new MemoryStorage()
    const first = open(storage)
    first.log.append(data(1n, 0, 2))
    first.producers.close()
    first.log.close()
    expect(listSnapshots(storage, '/data/t-0')).toEqual([0, 2])
    const second = open(storage)
    expect(second.log.append(data(1n, 0, 2)).baseOffset).toBe(0)
    expect(second.log.logEndOffset).toBe(2)
  })
})

import { cpSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DescribeTransactionsApi, ErrorCode } from '@tributary/protocol'
import { RawClient, captureLog, createTopic, randomTopic, tempDir, waitFor } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { startBroker, type Broker } from '../src/index.js'
import { RawTxnProducer, TXN_TEST_CONFIGS, readPartition } from './txn-helpers.js'

describe('transactions across broker restarts', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  const dir = () => {
    const d = tempDir()
    cleanups.push(d.remove)
    return d.path
  }
  const start = async (dataDir: string, configs: Record<string, string> = TXN_TEST_CONFIGS): Promise<{ broker: Broker; client: RawClient; log: ReturnType<typeof captureLog> }> => {
    const log = captureLog()
    const broker = await startBroker({ port: 0, dataDir, logger: log.logger, configs })
    const client = await RawClient.connect(broker.port)
    cleanups.push(async () => {
      await client.close()
      await broker.close()
    })
    return { broker, client, log }
  }
  /** A copy of a running broker's data directory: what a crash at this moment would leave behind. */
  const crashImage = (dataDir: string) => {
    const copy = dir()
    cpSync(dataDir, copy, { recursive: true })
    return copy
  }

  it('keeps committed transactions visible and aborted ones hidden, after a clean stop and after a crash', async () => {
    const dataDir = dir()
    const topic = randomTopic('txn-restart')
    const first = await start(dataDir)
    await createTopic(first.client, topic)
    const p = await RawTxnProducer.init(first.client, `tx-${topic}`)
    const txn = async (values: string[], commit: boolean) => {
      await p.addPartitions(topic, [0])
      await p.produce(topic, 0, values)
      expect(await p.end(commit)).toBe(0)
    }
    await txn(['a1', 'a2'], true)
    await txn(['b1', 'b2'], false)
    await txn(['c1'], true)
    const expected = ['a1', 'a2', 'c1']
    expect((await readPartition(first.client, topic, 0, 1)).values.map((v) => v.value)).toEqual(expected)
    const crashed = crashImage(dataDir)
    // Without its transaction index the crashed copy must find the abort in the log again.
    for (const name of readdirSync(join(crashed, `${topic}-0`))) if (name.endsWith('.txnindex')) rmSync(join(crashed, `${topic}-0`, name))
    await first.broker.close()

    for (const where of [dataDir, crashed]) {
      const again = await start(where)
      const read = await readPartition(again.client, topic, 0, 1)
      expect(read.values.map((v) => v.value), where).toEqual(expected)
      expect(read.lastStableOffset).toBe(read.highWatermark)
      expect(read.aborted).toHaveLength(1)
      const d = await again.client.request(DescribeTransactionsApi, 0, { transactionalIds: [p.transactionalId] })
      expect(d.transactionStates[0]).toMatchObject({ transactionState: 'CompleteCommit', producerId: p.producerId })
      await again.broker.close()
    }
  })

  it('aborts a transaction left open at shutdown once its timeout passes after the restart', async () => {
    const dataDir = dir()
    const topic = randomTopic('txn-open-restart')
    const first = await start(dataDir)
    await createTopic(first.client, topic)
    const p = await RawTxnProducer.init(first.client, `tx-${topic}`, 1500)
    await p.addPartitions(topic, [0])
    expect((await p.produce(topic, 0, ['pending-1', 'pending-2'])).errorCode).toBe(0)
    await first.broker.close()

    const second = await start(dataDir)
    const held = await readPartition(second.client, topic, 0, 1)
    expect(held.lastStableOffset).toBe(0)
    expect(held.highWatermark).toBe(2)
    await waitFor(async () => (await readPartition(second.client, topic, 0, 1)).lastStableOffset === 3, { timeoutMs: 8000, message: 'the open transaction to be aborted' })
    expect((await readPartition(second.client, topic, 0, 1)).values).toEqual([])
    expect((await p.over(second.client).produce(topic, 0, ['zombie'])).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(second.log.matching('exceeded its 1500 ms timeout')).toHaveLength(1)
  })

  it('never hands out a producer id twice across restarts', async () => {
    const dataDir = dir()
    const first = await start(dataDir)
    const before = await RawTxnProducer.init(first.client, 'ids-a')
    const crashed = crashImage(dataDir)
    await first.broker.close()
    for (const where of [dataDir, crashed]) {
      const again = await start(where)
      const after = await RawTxnProducer.init(again.client, 'ids-b')
      expect(after.producerId).toBeGreaterThan(before.producerId)
      const same = await RawTxnProducer.init(again.client, 'ids-a')
      expect(same).toMatchObject({ producerId: before.producerId, producerEpoch: before.producerEpoch + 1 })
      await again.broker.close()
    }
  })
})

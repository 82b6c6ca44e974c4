import { cpSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ErrorCode, ProduceApi } from '@tributary/protocol'
import { RawClient, captureLog, createTopic, randomTopic, tempDir, textBatch, textValues } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { startBroker } from '../src/index.js'
import { initProducerId, readPartition } from './txn-helpers.js'

describe('producer state across broker restarts', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  const dir = () => {
    const d = tempDir()
    cleanups.push(d.remove)
    return d.path
  }
  const start = async (dataDir: string) => {
    const log = captureLog()
    const broker = await startBroker({ port: 0, dataDir, logger: log.logger })
    const client = await RawClient.connect(broker.port)
    const stop = async () => {
      await client.close()
      await broker.close()
    }
    cleanups.push(stop)
    return { broker, client, log, stop }
  }
  const send = async (client: RawClient, topic: string, pid: bigint, seq: number, count: number) => {
    const records = textBatch(textValues(count, `s${seq}-`), { producerId: pid, producerEpoch: 0, baseSequence: seq })
    const res = await client.request(ProduceApi, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
    const p = res.responses[0]!.partitionResponses[0]!
    return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) }
  }

  it('still recognises retried batches after a clean restart and after a crash, and keeps checking sequences', async () => {
    const dataDir = dir()
    const topic = randomTopic('idem-restart')
    const first = await start(dataDir)
    // Small segments, so that the log rolls and snapshots are written at segment boundaries too.
    await createTopic(first.client, topic, 1, { 'segment.bytes': '600' })
    const { producerId } = await initProducerId(first.client)
    for (let i = 0; i < 8; i++) expect(await send(first.client, topic, producerId, i * 2, 2)).toEqual({ errorCode: 0, baseOffset: i * 2 })
    const crashed = join(dir(), 'copy')
    cpSync(dataDir, crashed, { recursive: true })
    // The roll wrote a snapshot at the new segment's base: the crashed copy replays only from there.
    const files = readdirSync(join(crashed, `${topic}-0`))
    const lastSegment = files.filter((n) => n.endsWith('.log')).sort().at(-1)!
    expect(lastSegment).not.toBe('00000000000000000000.log')
    expect(files).toContain(lastSegment.replace('.log', '.snapshot'))
    await first.stop()
    const snapshots = readdirSync(join(dataDir, `${topic}-0`)).filter((n) => n.endsWith('.snapshot'))
    expect(snapshots.length).toBeGreaterThan(0)
    expect(snapshots.length).toBeLessThanOrEqual(2)
    expect(snapshots).toContain('00000000000000000016.snapshot')

    for (const where of [dataDir, crashed]) {
      const again = await start(where)
      // The last five batches (sequences 6..15) are answered with their offsets; older ones are gone.
      expect(await send(again.client, topic, producerId, 14, 2), where).toEqual({ errorCode: 0, baseOffset: 14 })
      expect(await send(again.client, topic, producerId, 6, 2)).toEqual({ errorCode: 0, baseOffset: 6 })
      expect((await send(again.client, topic, producerId, 4, 2)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
      expect((await send(again.client, topic, producerId, 17, 1)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
      expect(await send(again.client, topic, producerId, 16, 1)).toEqual({ errorCode: 0, baseOffset: 16 })
      const read = await readPartition(again.client, topic, 0, 0)
      expect(read.values.map((v) => v.value)).toEqual([...Array.from({ length: 8 }, (_, i) => [`s${i * 2}-0`, `s${i * 2}-1`]).flat(), 's16-0'])
      await again.stop()
    }
  })
})

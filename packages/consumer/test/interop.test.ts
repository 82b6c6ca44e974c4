import { CompressionTypes } from 'kafkajs'
import { randomTopic, requireKcat, runKcat, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAll, consumerFor, kafkajs, newTopic, servedApis, startBroker, take, TRANSACTION_APIS } from './helpers.js'

let broker: TestBroker
beforeAll(async () => {
  broker = await startBroker()
})
afterEach(closeAll)
afterAll(() => broker.broker.close())

describe('reads what other clients wrote', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`kcat, ${codec}: keys, values and headers`, async (ctx) => {
      requireKcat(ctx)
      const topic = await newTopic(broker, 1, `kcat-${codec}`)
      const lines = Array.from({ length: 300 }, (_, i) => `key-${i}\tvalue-${i}-${'x'.repeat(i % 50)}`)
      await runKcat(['-P', '-b', broker.broker.bootstrapServers, '-t', topic, '-p', '0', '-z', codec, '-K', '\t', '-H', 'source=kcat', '-H', 'codec=' + codec], {
        input: `${lines.join('\n')}\n`,
      })
      const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
      await consumer.assign([{ topic, partition: 0 }])
      const records: { key: string; value: string; headers: string }[] = []
      for await (const r of consumer) {
        records.push({ key: r.key!.toString(), value: r.value!.toString(), headers: r.headerList.map((h) => `${h.key}=${h.value}`).join(',') })
        if (records.length === 300) break
      }
      expect(records.map((r) => `${r.key}\t${r.value}`)).toEqual(lines)
      expect(new Set(records.map((r) => r.headers))).toEqual(new Set([`source=kcat,codec=${codec}`]))
    })
  }

  it('kafkajs, uncompressed and gzip, across partitions', async () => {
    const topic = await newTopic(broker, 3, 'kafkajs')
    const producer = kafkajs(broker.broker.bootstrapServers).producer()
    await producer.connect()
    for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
      await producer.send({
        topic,
        compression,
        messages: Array.from({ length: 90 }, (_, i) => ({ key: `k${i}`, value: `v${compression}-${i}`, partition: i % 3, headers: { n: String(i), tag: 'kafkajs' } })),
      })
    }
    await producer.disconnect()
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })))
    const records = await take(consumer, 180)
    expect(new Set(records.map((r) => r.value!.toString())).size).toBe(180)
    for (const r of records) {
      const i = Number(r.key!.toString().slice(1))
      expect(r.partition).toBe(i % 3)
    }
  })
})

describe('transactions', () => {
  it('read_committed (the default) hides records of aborted kafkajs transactions; read_uncommitted shows them', async (ctx) => {
    const served = await servedApis(broker)
    const missing = TRANSACTION_APIS.filter((k) => !served.has(k))
    if (missing.length > 0) {
      const reason = `the broker does not serve the transaction APIs yet (missing API keys ${missing.join(', ')}), so the read_committed interop test is skipped`
      process.stderr.write(`${reason}\n`)
      ctx.skip(true, reason)
    }
    const topic = await newTopic(broker, 1, 'txn')
    const client = kafkajs(broker.broker.bootstrapServers)
    const producer = client.producer({ transactionalId: randomTopic('txn'), idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const inTxn = async (values: string[], outcome: 'commit' | 'abort') => {
      const txn = await producer.transaction()
      await txn.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) })
      await (outcome === 'commit' ? txn.commit() : txn.abort())
    }
    await inTxn(['c1', 'c2'], 'commit')
    await inTxn(['a1', 'a2', 'a3'], 'abort')
    await inTxn(['c3'], 'commit')
    await inTxn(['a4'], 'abort')
    await producer.disconnect()
    const plain = kafkajs(broker.broker.bootstrapServers).producer()
    await plain.connect()
    await plain.send({ topic, messages: [{ value: 'plain', partition: 0 }] })
    await plain.disconnect()

    const committed = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await committed.assign([{ topic, partition: 0 }])
    expect((await take(committed, 4)).map((r) => r.value!.toString())).toEqual(['c1', 'c2', 'c3', 'plain'])
    const uncommitted = consumerFor(broker, { autoOffsetReset: 'earliest', isolationLevel: 'read_uncommitted' })
    await uncommitted.assign([{ topic, partition: 0 }])
    expect((await take(uncommitted, 8)).map((r) => r.value!.toString())).toEqual(['c1', 'c2', 'a1', 'a2', 'a3', 'c3', 'a4', 'plain'])
  })
})

describe('mixed group with kcat (librdkafka)', () => {
  it('a kcat balanced consumer and ours share a group with the range assignor and split the partitions', { timeout: 60_000 }, async (ctx) => {
    const kcatPath = requireKcat(ctx)
    const { spawn } = await import('node:child_process')
    const topic = await newTopic(broker, 4, 'mixed')
    const groupId = randomTopic('mixed-group')
    const startKcat = () => {
      const child = spawn(
        kcatPath,
        ['-b', broker.broker.bootstrapServers, '-G', groupId, '-X', 'partition.assignment.strategy=range', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=200', '-f', '%p %s\n', '-q', '-u', topic],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      const lines: string[] = []
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter((l) => l.length > 0)))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      return { child, lines, stderr: () => stderr }
    }
    const stop = (k: ReturnType<typeof startKcat>) =>
      new Promise<void>((resolve) => {
        k.child.once('exit', () => resolve())
        k.child.kill('SIGTERM')
      })
    const produceAll = async (tag: string) => {
      const p = kafkajs(broker.broker.bootstrapServers).producer()
      await p.connect()
      await p.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ value: `${tag}-${i}`, partition: i % 4 })) })
      await p.disconnect()
    }

    // kcat first: it leads the group and computes the range assignment over both subscriptions.
    const first = startKcat()
    try {
      const ours = consumerFor(broker, { groupId, partitionAssignmentStrategy: ['range'], autoOffsetReset: 'earliest' })
      await new Promise((r) => setTimeout(r, 1_000))
      await ours.subscribe([topic])
      await waitFor(() => ours.assignment().length === 2, { timeoutMs: 20_000, message: `ours owns 2 of 4 partitions (kcat: ${first.stderr()})` })
      const mine = ours.assignment().map((tp) => tp.partition)
      const received: string[] = []
      const running = ours.run({ eachMessage: ({ record }) => void received.push(`${record.partition} ${record.value}`) })
      await produceAll('one')
      await waitFor(() => received.length === 20 && first.lines.length === 20, { timeoutMs: 20_000, message: 'records split 20/20' })
      expect(new Set(received.map((l) => Number(l.split(' ')[0])))).toEqual(new Set(mine))
      expect(new Set(first.lines.map((l) => Number(l.split(' ')[0])))).toEqual(new Set([0, 1, 2, 3].filter((p) => !mine.includes(p))))

      // kcat leaves: ours takes everything; a new kcat joins with ours as leader, and decodes our assignment.
      await stop(first)
      await waitFor(() => ours.assignment().length === 4, { timeoutMs: 20_000, message: 'ours owns all 4 after kcat left' })
      const second = startKcat()
      try {
        await waitFor(() => ours.assignment().length === 2, { timeoutMs: 20_000, message: 'split again with ours leading' })
        const now = ours.assignment().map((tp) => tp.partition)
        await produceAll('two')
        // kcat may also re-read earlier records of its partitions whose commit raced the rebalance
        // (at least once); what must hold is that it reads all 20 new ones, from exactly its partitions.
        const fresh = () => second.lines.filter((l) => l.includes('two-'))
        await waitFor(() => fresh().length >= 20, { timeoutMs: 30_000, message: `kcat reads its 20 (it read: ${second.lines.join(', ')})` })
        expect(fresh()).toHaveLength(20)
        expect(new Set(second.lines.map((l) => Number(l.split(' ')[0])))).toEqual(new Set([0, 1, 2, 3].filter((p) => !now.includes(p))))
      } finally {
        await stop(second)
      }
      await closeAll()
      await running
    } finally {
      if (first.child.exitCode === null) await stop(first)
    }
  })
})

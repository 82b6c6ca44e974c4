import { OffsetFetchApi } from '@tributary/protocol'
import { RawClient, createTopic, produce, randomTopic, startTestBroker, textBatch, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireConfluentKafka, runPython } from './fixtures/python.js'
import { TXN_TEST_CONFIGS, readPartition } from './txn-helpers.js'

describe('transactions with confluent-kafka-python (librdkafka)', () => {
  let t: TestBroker
  let raw: RawClient
  beforeAll(async () => {
    t = await startTestBroker({ configs: TXN_TEST_CONFIGS })
    raw = await RawClient.connect(t.broker.port)
  })
  afterAll(async () => {
    await raw.close()
    await t.broker.close()
  })

  it('commits and aborts transactions that read_committed and read_uncommitted consumers read back', async (ctx) => {
    await requireConfluentKafka(ctx)
    const topic = randomTopic('py-txn')
    await createTopic(raw, topic, 2)
    const bootstrap = t.broker.bootstrapServers
    const produced = await runPython<{ committed: string[]; aborted: string[] }>('txn_produce.py', [bootstrap, topic, `py-${topic}`])
    expect(produced.committed).toHaveLength(20)
    expect(produced.aborted).toHaveLength(10)
    const [committed, everything] = await Promise.all([
      runPython<string[]>('consume.py', [bootstrap, topic, 'read_committed', '20', '20']),
      runPython<string[]>('consume.py', [bootstrap, topic, 'read_uncommitted', '30', '20']),
    ])
    expect([...committed].sort()).toEqual([...produced.committed].sort())
    expect([...everything].sort()).toEqual([...produced.committed, ...produced.aborted].sort())
  })

  it('runs a read-process-write loop with send_offsets_to_transaction: every input once in the output, offsets committed', async (ctx) => {
    await requireConfluentKafka(ctx)
    const input = randomTopic('py-in')
    const output = randomTopic('py-out')
    const group = `py-group-${input}`
    await createTopic(raw, input, 2)
    await createTopic(raw, output, 2)
    const inputs: string[] = []
    for (let p = 0; p < 2; p++) {
      const values = Array.from({ length: 25 }, (_, i) => `in-${p}-${i}`)
      inputs.push(...values)
      await produce(raw, input, p, textBatch(values.map((value) => ({ key: value, value }))))
    }
    const bootstrap = t.broker.bootstrapServers
    const result = await runPython<{ processed: number; transactions: number; aborted: number }>('read_process_write.py', [bootstrap, input, output, group, `py-rpw-${input}`, String(inputs.length)])
    expect(result).toMatchObject({ processed: inputs.length, aborted: 1 })
    expect(result.transactions).toBeGreaterThan(1)

    const outputs = (await Promise.all([0, 1].map((p) => readPartition(raw, output, p, 1)))).flatMap((r) => r.values.map((v) => v.value))
    expect([...outputs].sort()).toEqual(inputs.map((v) => `out-${v}`).sort())
    const uncommitted = (await Promise.all([0, 1].map((p) => readPartition(raw, output, p, 0)))).flatMap((r) => r.values)
    expect(uncommitted.length).toBeGreaterThan(outputs.length)
    const viaPython = await runPython<string[]>('consume.py', [bootstrap, output, 'read_committed', String(inputs.length), '20'])
    expect([...viaPython].sort()).toEqual([...outputs].sort())

    const offsets = await raw.request(OffsetFetchApi, 7, { groupId: group, topics: [{ name: input, partitionIndexes: [0, 1] }], requireStable: true })
    expect(offsets.topics[0]!.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset), p.errorCode])).toEqual([
      [0, 25, 0],
      [1, 25, 0],
    ])
  })
})

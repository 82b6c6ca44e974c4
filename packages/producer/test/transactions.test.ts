import { Admin } from '@tributary/client'
import { ErrorCode } from '@tributary/protocol'
import { randomTopic } from '@tributary/testkit'
import { beforeAll, describe, expect, it } from 'vitest'
import { AbortableTransactionError, FatalProducerError, Producer, ProducerStateError, type ProducerOptions } from '../src/index.js'
import { TRANSACTION_APIS, capturingLogger, createTopics, missingApis, producerSuite, readPartition, skipReason } from './helpers.js'
import { FAST_GROUPS, consumeWithKafkajs } from './kafkajs-consumer.js'

describe('Producer: transactions', () => {
  const t = producerSuite({ broker: { configs: FAST_GROUPS }, closeTimeoutMs: 2000 })
  let missing: string | undefined
  beforeAll(async () => {
    missing = skipReason(await missingApis(t.broker, TRANSACTION_APIS), 'transactions against the embedded broker')
  })
  const producer = (transactionalId: string, options: Partial<ProducerOptions> = {}) => t.producer({ transactionalId, ...options })

  it('states clearly what a transactional producer cannot do yet (no broker needed)', async () => {
    const p = producer(`txn-${randomTopic()}`)
    await expect(p.send({ topic: 'x', value: 'v' })).rejects.toThrow(/initTransactions\(\) and beginTransaction\(\) first/)
    await expect(p.beginTransaction()).rejects.toThrow(/call initTransactions\(\) first/)
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(ProducerStateError)
    await expect(p.abortTransaction()).rejects.toBeInstanceOf(ProducerStateError)
    expect(p.transactionState).toBe('uninitialized')
    const plain = new Producer({ bootstrapServers: t.broker.bootstrapServers, logger: capturingLogger() })
    await expect(plain.initTransactions()).rejects.toThrow(/has no transactionalId/)
    await plain.close()
  })

  it('is honoured by a kafkajs read_committed consumer: committed records visible, aborted ones not', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('txn')
    await createTopics(t.broker, { [topic]: 2 })
    const p = producer(`txn-${topic}`)
    await p.initTransactions()
    expect(p.transactionState).toBe('ready')
    await expect(p.send({ topic, value: 'outside' })).rejects.toThrow(/no transaction is open/)
    await expect(p.commitTransaction()).rejects.toThrow(/no transaction is open/)

    await p.beginTransaction()
    await p.sendBatch([0, 1, 0].map((partition, i) => ({ topic, partition, key: `k${i}`, value: `committed-${i}` })))
    await p.commitTransaction()

    await p.beginTransaction()
    await p.sendBatch([0, 1].map((partition, i) => ({ topic, partition, value: `aborted-${i}` })))
    // A record still lingering when the transaction is aborted fails instead of being sent.
    const lingering = producer(`txn-${topic}-lingering`, { lingerMs: 60_000 })
    await lingering.initTransactions()
    await lingering.beginTransaction()
    const pending = lingering.send({ topic, value: 'never sent' }).catch((e: unknown) => e)
    await lingering.abortTransaction()
    expect(await pending).toMatchObject({ code: 'TRANSACTION_ABORTED' })
    await p.abortTransaction()
    expect(p.transactionState).toBe('ready')

    await p.beginTransaction()
    await p.send({ topic, partition: 1, value: 'committed-last' })
    await p.commitTransaction()

    const expected = ['committed-0', 'committed-1', 'committed-2', 'committed-last']
    const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => expected.every((v) => ms.some((m) => m.value === v)))
    expect(messages.map((m) => m.value).sort()).toEqual(expected.sort())
    // The aborted records are in the log (read_uncommitted sees them), but not for read_committed.
    const uncommitted = [...(await readPartition(t, topic, 0)), ...(await readPartition(t, topic, 1))].map((r) => r.value)
    expect(uncommitted).toEqual(expect.arrayContaining(['aborted-0', 'aborted-1']))
    expect(uncommitted).not.toContain('never sent')
  })

  it('moves group offsets with sendOffsetsToTransaction only when the transaction commits', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const input = randomTopic('txn-in')
    const output = randomTopic('txn-out')
    const group = `group-${input}`
    await createTopics(t.broker, { [input]: 1, [output]: 1 })
    const admin = new Admin({ bootstrapServers: t.broker.bootstrapServers, logger: capturingLogger() })
    const committed = async () => (await admin.fetchGroupOffsets(group, { topics: [input] })).map((o) => o.offset)
    try {
      const p = producer(`txn-${input}`)
      await p.initTransactions()
      await p.beginTransaction()
      await p.send({ topic: output, value: 'processed 0-4' })
      await p.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 5n }], group)
      await p.abortTransaction()
      expect(await committed()).not.toContain(5n)

      await p.beginTransaction()
      await p.send({ topic: output, value: 'processed 0-6' })
      await p.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 7 }], { groupId: group, generationId: -1, memberId: '' })
      await p.commitTransaction()
      expect(await committed()).toEqual([7n])
    } finally {
      await admin.close()
    }
  })

  it('leaves the producer usable after abortTransaction() when an offset commit is rejected (abortable error)', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('txn-abortable')
    await createTopics(t.broker, { [topic]: 1 })
    const p = producer(`txn-${topic}`)
    await p.initTransactions()
    await p.beginTransaction()
    await p.send({ topic, value: 'doomed' })
    // A generation and member the (empty) group does not have: the coordinator refuses the commit.
    const err = await p.sendOffsetsToTransaction([{ topic, partition: 0, offset: 1 }], { groupId: `ghosts-${topic}`, generationId: 42, memberId: 'ghost-member' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AbortableTransactionError)
    expect((err as AbortableTransactionError).code).toMatch(/ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID/)
    expect(p.transactionState).toBe('abortable-error')
    await expect(p.send({ topic, value: 'more' })).rejects.toBeInstanceOf(AbortableTransactionError)
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(AbortableTransactionError)
    await p.abortTransaction()
    await p.beginTransaction()
    await p.send({ topic, value: 'after abort' })
    await p.commitTransaction()
    const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => ms.some((m) => m.value === 'after abort'))
    expect(messages.map((m) => m.value)).toEqual(['after abort'])
  })

  it('makes the transaction abortable when a batch is refused, and carries on after abortTransaction()', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('txn-refused')
    await createTopics(t.broker, { [topic]: 1 })
    let refuse = true
    const remove = t.broker.intercept((r) => {
      if (r.apiName !== 'Produce' || !refuse) return
      if (!(r.request as { topicData: { name: string }[] }).topicData.some((d) => d.name === topic)) return
      refuse = false
      return { errorCode: ErrorCode.INVALID_RECORD }
    })
    try {
      const p = producer(`txn-${topic}`, { lingerMs: 0 })
      await p.initTransactions()
      await p.beginTransaction()
      await expect(p.send({ topic, value: 'refused' })).rejects.toMatchObject({ code: 'INVALID_RECORD' })
      expect(p.transactionState).toBe('abortable-error')
      await expect(p.commitTransaction()).rejects.toBeInstanceOf(AbortableTransactionError)
      await p.abortTransaction()
      await p.beginTransaction()
      await p.sendBatch([{ topic, value: 'one' }, { topic, value: 'two' }])
      await p.commitTransaction()
      const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => ms.some((m) => m.value === 'two'))
      expect(messages.map((m) => m.value)).toEqual(['one', 'two'])
    } finally {
      remove()
    }
  })

  it('aborts an open transaction on close, so its records stay invisible to read_committed readers', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('txn-close')
    await createTopics(t.broker, { [topic]: 1 })
    const p = producer(`txn-${topic}`)
    await p.initTransactions()
    await p.beginTransaction()
    await p.send({ topic, value: 'left open' })
    await p.close()
    const q = producer(`txn-${topic}-next`)
    await q.initTransactions()
    await q.beginTransaction()
    await q.send({ topic, value: 'committed after' })
    await q.commitTransaction()
    const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => ms.some((m) => m.value === 'committed after'))
    expect(messages.map((m) => m.value)).toEqual(['committed after'])
  })

  it('is fenced by a second producer with the same transactionalId: a fatal error, its open transaction aborted', async (ctx) => {
    ctx.skip(missing !== undefined, missing)
    const topic = randomTopic('txn-fence')
    await createTopics(t.broker, { [topic]: 1 })
    const id = `txn-${topic}`
    const first = producer(id)
    await first.initTransactions()
    await first.beginTransaction()
    await first.send({ topic, value: 'zombie write' })

    const second = producer(id)
    await second.initTransactions()

    const err = await first.send({ topic, value: 'after fencing' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FatalProducerError)
    expect((err as FatalProducerError).code).toMatch(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/)
    expect(first.transactionState).toBe('fatal-error')
    await expect(first.commitTransaction()).rejects.toBeInstanceOf(FatalProducerError)
    await expect(first.beginTransaction()).rejects.toBeInstanceOf(FatalProducerError)

    await second.beginTransaction()
    await second.send({ topic, value: 'from the new instance' })
    await second.commitTransaction()
    const messages = await consumeWithKafkajs(t.broker.bootstrapServers, topic, (ms) => ms.some((m) => m.value === 'from the new instance'))
    expect(messages.map((m) => m.value)).toEqual(['from the new instance'])
  })
})

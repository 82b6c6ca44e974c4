import { Consumer } from '@tributary/consumer'
import { Producer } from '@tributary/producer'
import { FAST_CONSUMER, type DemoContext } from '../context.js'
import type { Step } from '../step.js'

const TOPIC = 'transfers'

export const transactions: Step = {
  id: 'transactions',
  title: 'Transactions: one committed, one aborted',
  concept: 'A transactional producer writes a group of records (across partitions and topics) atomically; a read_committed consumer sees a committed transaction\'s records and never those of an aborted one, while read_uncommitted sees both.',
  async run(ctx) {
    const producer = new Producer({ ...ctx.client, transactionalId: 'bank-transfers' })
    try {
      await producer.initTransactions()
      await producer.beginTransaction()
      await producer.sendBatch([
        { topic: TOPIC, key: 'alice', value: 'alice -100 (transfer 1)' },
        { topic: TOPIC, key: 'bob', value: 'bob +100 (transfer 1)' },
      ])
      await producer.commitTransaction()
      ctx.say('transfer 1: two records sent, transaction committed')
      await producer.beginTransaction()
      await producer.sendBatch([
        { topic: TOPIC, key: 'alice', value: 'alice -999 (transfer 2)' },
        { topic: TOPIC, key: 'mallory', value: 'mallory +999 (transfer 2)' },
      ])
      await producer.abortTransaction()
      ctx.say('transfer 2: two records sent, transaction aborted')
      await producer.beginTransaction()
      await producer.send({ topic: TOPIC, key: 'bob', value: 'bob -5 (transfer 3)' })
      await producer.commitTransaction()
      ctx.say('transfer 3: one record sent, transaction committed')
    } finally {
      await producer.close()
    }
    const committed = await readValues(ctx, 'read_committed', 3)
    ctx.say(`read_committed sees:   ${committed.join(' | ')}`)
    const everything = await readValues(ctx, 'read_uncommitted', 5)
    ctx.say(`read_uncommitted sees: ${everything.join(' | ')}`)
    ctx.check.that(committed.every((v) => !v.includes('transfer 2')), 'read_committed shows no record of the aborted transaction')
    ctx.check.equal([...committed].sort(), ['alice -100 (transfer 1)', 'bob +100 (transfer 1)', 'bob -5 (transfer 3)'].sort(), 'records seen with read_committed')
    ctx.check.equal(everything.filter((v) => v.includes('transfer 2')).length, 2, 'aborted records seen with read_uncommitted')
  },
}

/** Reads the topic from the beginning until `count` records, then checks that nothing more arrives. */
async function readValues(ctx: DemoContext, isolationLevel: 'read_committed' | 'read_uncommitted', count: number): Promise<string[]> {
  const consumer = new Consumer({ ...ctx.client, ...FAST_CONSUMER, isolationLevel, autoOffsetReset: 'earliest' })
  const values: string[] = []
  try {
    await consumer.assign([{ topic: TOPIC, partition: 0 }])
    for await (const record of consumer) {
      values.push(record.value!.toString())
      if (values.length === count) break
    }
  } finally {
    await consumer.close()
  }
  return values
}

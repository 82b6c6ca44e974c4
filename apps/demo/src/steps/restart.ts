import { Admin } from '@tributary/client'
import { Consumer, type ConsumerRecord } from '@tributary/consumer'
import { Producer } from '@tributary/producer'
import { FAST_CONSUMER, type DemoContext } from '../context.js'
import type { Step } from '../step.js'

const TOPIC = 'payments'
const GROUP = 'ledger'

/** Reads `count` records as a member of the ledger group. */
async function readSome(ctx: DemoContext, count: number): Promise<ConsumerRecord[]> {
  const consumer = new Consumer({ ...ctx.client, ...FAST_CONSUMER, groupId: GROUP, autoOffsetReset: 'earliest', enableAutoCommit: false })
  const records: ConsumerRecord[] = []
  try {
    await consumer.subscribe([TOPIC])
    for await (const record of consumer) {
      records.push(record)
      if (records.length === count) break
    }
    const last = records[records.length - 1]!
    await consumer.commit([{ topic: TOPIC, partition: last.partition, offset: last.offset + 1n }])
  } finally {
    await consumer.close()
  }
  return records
}

const span = (records: ConsumerRecord[]) => `${records[0]!.value} … ${records[records.length - 1]!.value} (offsets ${records[0]!.offset}-${records[records.length - 1]!.offset})`

export const restart: Step = {
  id: 'restart',
  title: 'Committed offsets survive a broker restart',
  concept: 'A consumer group commits the next offset to read to the internal __consumer_offsets topic; it is durable, so after a restart the group resumes exactly where it left off.',
  async run(ctx) {
    const producer = new Producer(ctx.client)
    try {
      await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: TOPIC, value: `payment ${i}` })))
    } finally {
      await producer.close()
    }
    const before = await readSome(ctx, 6)
    ctx.say(`group "${GROUP}" read ${before.length} records: ${span(before)}, committed offset 6`)

    const oldAddress = ctx.bootstrapServers
    await ctx.restartBroker()
    ctx.say(`broker closed and started again on the same data directory (${oldAddress} → ${ctx.bootstrapServers})`)

    const admin = new Admin(ctx.client)
    try {
      const [committed] = await admin.fetchGroupOffsets(GROUP, { topics: [TOPIC] })
      ctx.say(`committed offset read back after the restart: ${committed?.offset}`)
      ctx.check.equal(committed?.offset, 6n, 'committed offset after the restart')
    } finally {
      await admin.close()
    }
    const after = await readSome(ctx, 4)
    ctx.say(`a new member of "${GROUP}" resumed with ${span(after)}`)
    ctx.check.equal(after.map((r) => Number(r.offset)), [6, 7, 8, 9], 'offsets read after resuming')
  },
}

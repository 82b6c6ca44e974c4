import { Admin } from '@tributary/client'
import { Producer } from '@tributary/producer'
import type { Step } from '../step.js'
import { waitFor } from '../wait.js'

const TOPIC = 'acks-demo'

export const acks: Step = {
  id: 'acks',
  title: 'Acknowledgements: acks 0, 1 and all',
  concept: 'acks decides when a send counts as done: 0 = fire and forget (no offset comes back), 1 = the leader appended it, all = every in-sync replica has it (the default, needed for idempotence).',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    try {
      await admin.createTopics([{ name: TOPIC, partitions: 1 }])
      const offsets: Record<string, bigint> = {}
      for (const level of [0, 1, 'all'] as const) {
        const producer = new Producer({ ...ctx.client, acks: level })
        try {
          const meta = await producer.send({ topic: TOPIC, value: `sent with acks=${level}` })
          offsets[String(level)] = meta.offset
          ctx.say(`acks=${String(level).padEnd(3)} → send() resolved with offset ${meta.offset}${meta.offset < 0n ? ' (no answer is awaited, so the offset is unknown)' : ''}`)
        } finally {
          await producer.close()
        }
      }
      ctx.check.equal(offsets['0'], -1n, 'offset reported for acks=0')
      ctx.check.that(offsets['1']! >= 0n && offsets.all! > offsets['1']!, 'acks=1 and acks=all report real, increasing offsets')
      const end = await waitFor('all three records to be in the log', async () => {
        const [latest] = await admin.listOffsets([{ topic: TOPIC, at: 'latest' }])
        return latest!.offset === 3n ? latest!.offset : undefined
      })
      ctx.say(`the partition's end offset is ${end}: all three records were written, even the unacknowledged one`)
    } finally {
      await admin.close()
    }
  },
}

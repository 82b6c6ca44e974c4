import { Admin } from '@tributary/client'
import { Producer } from '@tributary/producer'
import type { Step } from '../step.js'

const TOPIC = 'invoices'

interface ProduceBody {
  topicData?: { name?: string }[]
}

export const idempotence: Step = {
  id: 'idempotence',
  title: 'Idempotent retries: a lost response does not duplicate',
  concept: 'An idempotent producer numbers its batches (producer id, epoch, sequence); when a response is lost and the batch is retried, the broker recognises the sequence it already appended and does not write it twice.',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    const producer = new Producer({ ...ctx.client, requestTimeoutMs: 1_000, retryBackoffMs: 50, deliveryTimeoutMs: 20_000 })
    let attempts = 0
    const remove = ctx.broker.intercept((r) => {
      const body = r.request as ProduceBody
      if (r.apiName !== 'Produce' || !body.topicData?.some((t) => t.name === TOPIC)) return
      attempts++
      if (attempts === 1) return { afterHandle: 'drop' } // append it, then lose the answer
    })
    try {
      await admin.createTopics([{ name: TOPIC, partitions: 1 }])
      const started = Date.now()
      const meta = await producer.send({ topic: TOPIC, key: 'acme', value: 'invoice #1001: 250 EUR' })
      ctx.say(`the broker appended the first attempt and dropped its response; the producer timed out and retried`)
      ctx.say(`send() resolved after ${attempts} produce attempts (${Date.now() - started} ms) with offset ${meta.offset}`)
      const [end] = await admin.listOffsets([{ topic: TOPIC, at: 'latest' }])
      ctx.say(`records in the partition: ${end!.offset} — exactly one copy`)
      ctx.check.that(attempts >= 2, 'the producer retried the produce whose response was lost')
      ctx.check.equal([meta.offset, end!.offset], [0n, 1n], 'offset of the invoice and records in the partition')
    } finally {
      remove()
      await producer.close()
      await admin.close()
    }
  },
}

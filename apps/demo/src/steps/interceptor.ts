import type { RecordMetadata } from '@tributary/producer'
import { Producer, type ProducerInterceptor } from '@tributary/producer'
import type { Step } from '../step.js'

const PRICE_CENTS = 2

/** A pay-per-message meter: charges when a record is sent, confirms the charge when the broker acknowledges it. */
class Meter implements ProducerInterceptor {
  charged = 0
  confirmed = 0
  refunded = 0
  readonly receipts: string[] = []

  onSend: ProducerInterceptor['onSend'] = (record) => {
    this.charged += PRICE_CENTS
    const billed = `${PRICE_CENTS}c`
    const headers = Array.isArray(record.headers) ? [...record.headers, { key: 'billed', value: billed }] : { ...record.headers, billed }
    return { ...record, headers }
  }

  onAcknowledgement = (metadata: RecordMetadata | undefined, error: unknown): void => {
    if (error || !metadata) this.refunded += PRICE_CENTS
    else {
      this.confirmed += PRICE_CENTS
      this.receipts.push(`${metadata.topic}-${metadata.partition}@${metadata.offset}`)
    }
  }
}

export const interceptor: Step = {
  id: 'interceptor',
  title: 'A pay-per-message interceptor',
  concept: 'Producer interceptors see every record on send (and may change it) and every acknowledgement: here a meter charges on send and confirms the charge once the broker has the record.',
  async run(ctx) {
    const meter = new Meter()
    const producer = new Producer({ ...ctx.client, interceptors: [meter] })
    try {
      const pending = Array.from({ length: 5 }, (_, i) => producer.send({ topic: 'orders', key: 'metered', value: `paid message ${i}` }))
      ctx.say(`5 records handed to send(): charged ${meter.charged}c, confirmed ${meter.confirmed}c so far`)
      const charged = meter.charged
      await Promise.all(pending)
      ctx.say(`after the acknowledgements: charged ${meter.charged}c, confirmed ${meter.confirmed}c, refunded ${meter.refunded}c`)
      ctx.say(`receipts: ${meter.receipts.join(', ')}`)
      ctx.check.equal(charged, 5 * PRICE_CENTS, 'cents charged on send, before any acknowledgement')
      ctx.check.equal([meter.confirmed, meter.refunded, meter.receipts.length], [5 * PRICE_CENTS, 0, 5], 'confirmed cents, refunds and receipts after acknowledgement')
    } finally {
      await producer.close()
    }
  },
}

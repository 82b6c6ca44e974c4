import { Admin } from '@tributary/client'
import { Consumer } from '@tributary/consumer'
import { Producer } from '@tributary/producer'
import { aggregate, defineTopic, exactlyOnce, type StreamsApp } from '@tributary/streams'
import { map } from 'rxjs'
import { z } from 'zod'
import { FAST_CONSUMER, type DemoContext } from '../context.js'
import type { Step } from '../step.js'
import { readUntilIdle, waitFor } from '../wait.js'

const APPLICATION = 'order-totals'
const orders = defineTopic('shop-orders', { value: z.object({ order: z.number(), amount: z.number().int() }) })
const totals = defineTopic('customer-totals', { value: z.object({ orders: z.number(), total: z.number() }) })
const CUSTOMERS = ['ada', 'grace', 'linus', 'margaret']
const ORDERS = 60
/** The first instance fails on this order every time, mid-transaction, until it gives up. */
const CRASH_AT = 45

const order = (i: number) => ({ topic: orders.name, key: CUSTOMERS[i % CUSTOMERS.length]!, value: JSON.stringify({ order: i, amount: 10 + ((i * 7) % 23) }) })

/** The pipeline: a running total per customer, kept in a store backed by a changelog topic. */
function pipeline(ctx: DemoContext, crashAt?: number): StreamsApp {
  return exactlyOnce({
    ...ctx.client,
    application: APPLICATION,
    instanceId: 'instance-1',
    processingRetries: 1,
    transactionTimeoutMs: 5_000,
    commitIntervalMs: 100,
    consumer: FAST_CONSUMER,
    input: orders,
    output: totals,
    process: (orders$) =>
      orders$.pipe(
        map((r) => {
          if (r.value.order === crashAt) throw new Error(`simulated crash at order ${crashAt}`)
          return r
        }),
        aggregate(() => ({ orders: 0, total: 0 }), (acc, r) => ({ orders: acc.orders + 1, total: acc.total + r.value.amount }), { store: 'totals' }),
        map(({ key, value }) => ({ key, value })),
      ),
  })
}

async function committedThrough(admin: Admin, count: number): Promise<void> {
  await waitFor(`"${APPLICATION}" to commit ${count} orders`, async () => {
    const offsets = await admin.fetchGroupOffsets(APPLICATION, { topics: [orders.name] })
    const sum = offsets.reduce((s, o) => s + (o.offset > 0n ? Number(o.offset) : 0), 0)
    return sum === count ? true : undefined
  }, 20_000)
}

async function readTotals(ctx: DemoContext, isolationLevel: 'read_committed' | 'read_uncommitted') {
  const consumer = new Consumer({ ...ctx.client, ...FAST_CONSUMER, isolationLevel, autoOffsetReset: 'earliest' })
  const latest = new Map<string, { orders: number; total: number }>()
  try {
    await consumer.assign([0, 1].map((partition) => ({ topic: totals.name, partition })))
    const records = await readUntilIdle(consumer)
    for (const r of records) latest.set(r.key!.toString(), JSON.parse(r.value!.toString()))
    return { latest, count: records.length }
  } finally {
    await consumer.close()
  }
}

export const streams: Step = {
  id: 'streams',
  title: 'An exactly-once streams pipeline surviving a crash',
  concept: 'A read-process-write pipeline commits its outputs, its state changelog and its input offsets in one transaction: when it crashes mid-way the open transaction is aborted, and a restarted instance restores its state and carries on with every total still exact.',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    const producer = new Producer(ctx.client)
    const apps: StreamsApp[] = []
    try {
      await admin.createTopics([{ name: orders.name, partitions: 2 }, { name: totals.name, partitions: 2 }])
      await producer.sendBatch(Array.from({ length: 30 }, (_, i) => order(i)))
      const first = pipeline(ctx, CRASH_AT)
      apps.push(first)
      const aborts: string[] = []
      first.events.subscribe((e) => e.type === 'aborted' && aborts.push(e.reason))
      await first.start()
      await committedThrough(admin, 30)
      ctx.say(`instance 1 processed orders 0-29 and committed them`)
      await producer.sendBatch(Array.from({ length: ORDERS - 30 }, (_, i) => order(30 + i)))
      const crash = await first.done.then(() => undefined, (e: unknown) => e)
      ctx.say(`instance 1 crashed: ${crash instanceof Error ? (crash.cause instanceof Error ? crash.cause.message : crash.message) : 'it did not crash'}`)
      ctx.say(`it aborted its open transaction ${aborts.length} time(s), rewinding and retrying, before giving up (${aborts[0] ?? 'no abort reported'})`)
      ctx.check.that(crash instanceof Error && aborts.length > 0, 'the first instance crashed mid-way and its transaction was aborted')

      const second = pipeline(ctx)
      apps.push(second)
      let restored = 0
      second.events.subscribe((e) => {
        if (e.type === 'assigned') restored += e.restoredRecords
      })
      await second.start()
      await committedThrough(admin, ORDERS)
      ctx.say(`instance 2 restored ${restored} store records from the changelog and processed the rest`)
      ctx.check.that(restored > 0, 'the restarted instance restored its state from the changelog')
      await second.close()

      const committed = await readTotals(ctx, 'read_committed')
      const everything = await readTotals(ctx, 'read_uncommitted')
      ctx.say(`outputs: ${committed.count} committed (one per order), ${everything.count - committed.count} more in the log from aborted transactions, hidden from read_committed readers`)
      const exact = new Map<string, { orders: number; total: number }>()
      for (let i = 0; i < ORDERS; i++) {
        const { key, value } = order(i)
        const acc = exact.get(key) ?? { orders: 0, total: 0 }
        exact.set(key, { orders: acc.orders + 1, total: acc.total + (JSON.parse(value) as { amount: number }).amount })
      }
      for (const c of CUSTOMERS) ctx.say(`  ${c.padEnd(8)} ${JSON.stringify(committed.latest.get(c))} (expected ${JSON.stringify(exact.get(c))})`)
      ctx.check.equal(committed.count, ORDERS, 'committed outputs (one per order, no duplicates)')
      ctx.check.equal(CUSTOMERS.map((c) => committed.latest.get(c)), CUSTOMERS.map((c) => exact.get(c)), 'final totals per customer')
    } finally {
      await Promise.allSettled(apps.map((a) => a.close()))
      await producer.close()
      await admin.close()
    }
  },
}

import { Admin } from '@tributary/client'
import type { Step } from '../step.js'

export const topics: Step = {
  id: 'topics',
  title: 'Topics and partitions',
  concept: 'A topic is a named log split into partitions; each partition is an ordered, append-only sequence with its own leader.',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    try {
      await admin.createTopics([{ name: 'orders', partitions: 3, configs: { 'retention.ms': '604800000' } }])
      ctx.say(`Created topic "orders" with 3 partitions`)
      const listed = await admin.listTopics()
      ctx.say(`listTopics(): ${listed.join(', ')}`)
      const [orders] = await admin.describeTopics(['orders'], { includeConfigs: true })
      for (const p of orders!.partitions) ctx.say(`  partition ${p.partition}: leader is broker ${p.leader}`)
      ctx.say(`  retention.ms = ${orders!.configs?.['retention.ms']} (one week)`)
      ctx.check.that(listed.includes('orders'), 'the new topic "orders" is listed')
      ctx.check.equal(orders!.partitions.map((p) => p.partition), [0, 1, 2], 'partitions of "orders"')
      ctx.check.equal(orders!.configs?.['retention.ms'], '604800000', 'retention.ms of "orders"')
    } finally {
      await admin.close()
    }
  },
}

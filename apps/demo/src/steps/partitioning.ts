import { Producer } from '@tributary/producer'
import type { Step } from '../step.js'

const tally = (partitions: number[]) => partitions.reduce((m, p) => m.set(p, (m.get(p) ?? 0) + 1), new Map<number, number>())

export const partitioning: Step = {
  id: 'partitioning',
  title: 'Keyed, explicit and round-robin partitioning',
  concept: 'The partitioner picks each record\'s partition: a key hashes (murmur2, as in Java) to a fixed partition, so per-key order holds; an explicit partition wins; round-robin spreads keyless records evenly.',
  async run(ctx) {
    const keyed = new Producer({ ...ctx.client, lingerMs: 1 })
    const roundRobin = new Producer({ ...ctx.client, lingerMs: 1, partitioner: 'round-robin' })
    try {
      const customers = ['alice', 'bob', 'carol', 'dave']
      const sends = customers.flatMap((key) => [1, 2, 3].map((n) => ({ topic: 'orders', key, value: `${key} order ${n}` })))
      const metas = await keyed.sendBatch(sends)
      const byKey = new Map<string, Set<number>>()
      metas.forEach((m, i) => byKey.set(sends[i]!.key, (byKey.get(sends[i]!.key) ?? new Set()).add(m.partition)))
      for (const [key, parts] of byKey) ctx.say(`key ${key.padEnd(5)} → partition ${[...parts].join(', ')} (3 records)`)
      ctx.check.that([...byKey.values()].every((parts) => parts.size === 1), 'every record with the same key lands on the same partition')

      const explicit = await keyed.send({ topic: 'orders', key: 'alice', partition: 2, value: 'routed by hand' })
      ctx.say(`explicit partition 2 for key alice → partition ${explicit.partition}, offset ${explicit.offset}`)
      ctx.check.equal(explicit.partition, 2, 'partition of an explicitly routed record')

      const spread = await roundRobin.sendBatch(Array.from({ length: 9 }, (_, i) => ({ topic: 'orders', value: `keyless ${i}` })))
      const counts = tally(spread.map((m) => m.partition))
      ctx.say(`round-robin, 9 keyless records → ${[...counts].sort(([a], [b]) => a - b).map(([p, n]) => `partition ${p}: ${n}`).join(', ')}`)
      ctx.check.equal([0, 1, 2].map((p) => counts.get(p) ?? 0), [3, 3, 3], 'records per partition under round-robin')
    } finally {
      await Promise.all([keyed.close(), roundRobin.close()])
    }
  },
}

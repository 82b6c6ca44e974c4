import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Admin } from '@tributary/client'
import { Producer } from '@tributary/producer'
import type { DemoContext } from '../context.js'
import type { Step } from '../step.js'

const TOPIC = 'clicks'
const HOUR = 3_600_000

const segmentFiles = async (ctx: DemoContext) => (await readdir(join(ctx.dataDir, `${TOPIC}-0`))).filter((f) => f.endsWith('.log')).sort()

async function offsets(admin: Admin): Promise<{ start: bigint; end: bigint }> {
  const [start] = await admin.listOffsets([{ topic: TOPIC, at: 'earliest' }])
  const [end] = await admin.listOffsets([{ topic: TOPIC, at: 'latest' }])
  return { start: start!.offset, end: end!.offset }
}

export const retention: Step = {
  id: 'retention',
  title: 'Retention: old segments are deleted',
  concept: 'A partition is stored as segment files that roll at segment.bytes; retention deletes whole segments older than retention.ms, and the log start offset (the earliest readable offset) moves forward.',
  async run(ctx) {
    const admin = new Admin(ctx.client)
    const producer = new Producer({ ...ctx.client, lingerMs: 0 })
    try {
      await admin.createTopics([{ name: TOPIC, partitions: 1, configs: { 'segment.bytes': '1024', 'retention.ms': String(HOUR) } }])
      const padding = 'x'.repeat(200)
      // Yesterday's clicks, then today's: one batch each, so segments roll every few records.
      for (let i = 0; i < 20; i++) await producer.send({ topic: TOPIC, value: `old click ${i} ${padding}`, timestamp: Date.now() - 24 * HOUR })
      for (let i = 0; i < 5; i++) await producer.send({ topic: TOPIC, value: `new click ${i} ${padding}`, timestamp: Date.now() })
      const before = await offsets(admin)
      const filesBefore = await segmentFiles(ctx)
      ctx.say(`25 records (20 a day old, 5 new) in ${filesBefore.length} segments; log start offset ${before.start}, end offset ${before.end}`)

      const result = ctx.broker.logs.runRetention().get(`${TOPIC}-0`)
      const after = await offsets(admin)
      const filesAfter = await segmentFiles(ctx)
      ctx.say(`retention ran (retention.ms = 1 hour): deleted ${result?.deletedSegments} segments (${result?.deletedBytes} bytes), reasons: ${[...new Set(result?.reasons)].join(', ') || 'none'}`)
      ctx.say(`now ${filesAfter.length} segments; log start offset ${after.start}, end offset ${after.end}; first segment ${filesAfter[0]}`)
      ctx.check.that((result?.deletedSegments ?? 0) > 0 && filesAfter.length < filesBefore.length, 'retention deleted old segment files')
      ctx.check.that(after.start > before.start && after.start <= 20n, 'the log start offset advanced, but not past the new records')
      ctx.check.equal(after.end, before.end, 'end offset after retention')
    } finally {
      await producer.close()
      await admin.close()
    }
  },
}

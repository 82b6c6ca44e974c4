import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '../src/admin/admin.js'
import { KafkaAggregateError } from '../src/errors/aggregate-error.js'
import { clientOptions, produceRaw, startTestBroker, type Broker } from './helpers/broker.js'
import { randomTopic } from './helpers/random.js'

let broker: Broker
let admin: Admin

beforeAll(async () => {
  broker = await startTestBroker()
  admin = new Admin(clientOptions(broker))
})
afterAll(async () => {
  await admin.close()
  await broker.close()
})

describe('Admin offsets', () => {
  it('lists earliest, latest and by-timestamp offsets per partition', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 2 }])
    const base = Date.now() - 60_000
    await produceRaw(admin.cluster, topic, 0, ['a', 'b', 'c', 'd', 'e'], base)
    await produceRaw(admin.cluster, topic, 1, ['x'], base)

    const latest = await admin.listOffsets([{ topic }])
    expect(latest.map((o) => [o.partition, o.offset])).toEqual([
      [0, 5n],
      [1, 1n],
    ])
    const earliest = await admin.listOffsets([{ topic, partitions: [0], at: 'earliest' }])
    expect(earliest[0]!.offset).toBe(0n)

    // Record i has timestamp base + i: the first at or after base + 3 is offset 3.
    const [byTime] = await admin.listOffsets([{ topic, partitions: [0], at: { timestamp: base + 3 } }])
    expect(byTime).toMatchObject({ offset: 3n, timestamp: BigInt(base + 3) })
    const [asDate] = await admin.listOffsets([{ topic, partitions: [0], at: { timestamp: new Date(base + 2) } }])
    expect(asDate!.offset).toBe(2n)
    const [future] = await admin.listOffsets([{ topic, partitions: [0], at: { timestamp: Date.now() + 3_600_000 } }])
    expect(future!.offset).toBe(-1n)
  })

  it('deletes records before an offset and moves the earliest offset', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic, partitions: 1 }])
    await produceRaw(admin.cluster, topic, 0, ['0', '1', '2', '3', '4', '5'])
    const [deleted] = await admin.deleteRecords([{ topic, partition: 0, beforeOffset: 4n }])
    expect(deleted).toEqual({ topic, partition: 0, lowWatermark: 4n })
    expect((await admin.listOffsets([{ topic, at: 'earliest' }]))[0]!.offset).toBe(4n)
    const [all] = await admin.deleteRecords([{ topic, partition: 0, beforeOffset: 'latest' }])
    expect(all!.lowWatermark).toBe(6n)
    await expect(admin.deleteRecords([{ topic, partition: 0, beforeOffset: 99 }])).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' })
  })

  it('keys failures by partition path: a missing partition and a missing topic fail, the rest succeed', async () => {
    const topic = randomTopic()
    const missing = randomTopic('missing')
    await admin.createTopics([{ name: topic, partitions: 1 }])
    const err = await admin.listOffsets([{ topic, partitions: [0, 7] }, { topic: missing, partitions: [0] }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KafkaAggregateError)
    const agg = err as KafkaAggregateError
    expect([...agg.errors.keys()]).toEqual([`/topics/${topic}/partitions/7`, `/topics/${missing}/partitions/0`])
    expect(agg.code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(agg.retriable).toBe(false)
  })

  it('refuses offsets that a number cannot hold exactly', async () => {
    const topic = randomTopic()
    await admin.createTopics([{ name: topic }])
    await expect(admin.deleteRecords([{ topic, partition: 0, beforeOffset: 2 ** 60 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

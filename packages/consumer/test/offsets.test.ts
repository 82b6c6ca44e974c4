import { Admin, silentLogger } from '@tributary/client'
import { randomTopic, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAll, consumerFor, newTopic, produceValues, startBroker, take } from './helpers.js'

let broker: TestBroker
let admin: Admin
beforeAll(async () => {
  broker = await startBroker()
  admin = new Admin({ bootstrapServers: broker.broker.bootstrapServers, logger: silentLogger })
})
afterEach(closeAll)
afterAll(async () => {
  await admin.close()
  await broker.broker.close()
})

describe('autoOffsetReset', () => {
  it("'earliest' starts at the first record, 'latest' at the end", async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 10)
    const earliest = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await earliest.assign([{ topic, partition: 0 }])
    expect((await take(earliest, 1))[0]!.offset).toBe(0n)

    const latest = consumerFor(broker, {})
    await latest.assign([{ topic, partition: 0 }])
    await waitFor(() => latest.position({ topic, partition: 0 }) === 10n, { message: 'position at the end' })
    const reading = take(latest, 1)
    await produceValues(broker, topic, [0], 1)
    expect((await reading)[0]!.offset).toBe(10n)
  })

  it("'none' reports NO_OFFSET_FOR_PARTITION naming the partition, and a seek recovers", async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 5)
    const consumer = consumerFor(broker, { groupId: randomTopic('g'), autoOffsetReset: 'none' })
    await consumer.assign([{ topic, partition: 0 }])
    const error = await take(consumer, 1).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NO_OFFSET_FOR_PARTITION' })
    expect((error as Error).message).toContain(`${topic}-0`)
    consumer.seek({ topic, partition: 0, offset: 3n })
    expect((await take(consumer, 1))[0]!.offset).toBe(3n)
  })

  it('resets per policy after OFFSET_OUT_OF_RANGE (records deleted below the position)', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 20)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest' })
    await consumer.assign([{ topic, partition: 0 }])
    consumer.seek({ topic, partition: 0, offset: 2n })
    await admin.deleteRecords([{ topic, partition: 0, beforeOffset: 10n }])
    const [first] = await take(consumer, 1)
    expect(first!.offset).toBe(10n)
  })

  it("'none' reports OFFSET_OUT_OF_RANGE when the position falls off the log", async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 20)
    await admin.deleteRecords([{ topic, partition: 0, beforeOffset: 10n }])
    const consumer = consumerFor(broker, { autoOffsetReset: 'none' })
    await consumer.assign([{ topic, partition: 0 }])
    consumer.seek({ topic, partition: 0, offset: 1n })
    await expect(take(consumer, 1)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' })
  })
})

describe('commits', () => {
  it('commit() stores consumed positions; committed() reads them; a new member resumes there', async () => {
    const topic = await newTopic(broker, 2)
    await produceValues(broker, topic, [0, 1], 10)
    const groupId = randomTopic('g')
    const first = consumerFor(broker, { groupId, enableAutoCommit: false, autoOffsetReset: 'earliest' })
    await first.assign([{ topic, partition: 0 }, { topic, partition: 1 }])
    expect(await first.committed()).toEqual([
      { topic, partition: 0, offset: null, metadata: null, leaderEpoch: -1 },
      { topic, partition: 1, offset: null, metadata: null, leaderEpoch: -1 },
    ])
    const seen: number[] = []
    for await (const r of first) {
      if (r.partition === 0) seen.push(Number(r.offset))
      if (seen.length === 4) break
    }
    // The loop broke on offset 3: offsets 0-2 are processed, 3 is not.
    await first.commit()
    const committed = await first.committed([{ topic, partition: 0 }])
    expect(committed[0]!.offset).toBe(3n)
    await first.commit([{ topic, partition: 1, offset: 7n, metadata: 'by hand' }])
    expect((await first.committed([{ topic, partition: 1 }]))[0]).toMatchObject({ offset: 7n, metadata: 'by hand' })
    await first.close()

    const second = consumerFor(broker, { groupId, autoOffsetReset: 'earliest' })
    await second.assign([{ topic, partition: 0 }, { topic, partition: 1 }])
    const records = await take(second, 10)
    expect(records.filter((r) => r.partition === 0)[0]!.offset).toBe(3n)
    expect(records.filter((r) => r.partition === 1)[0]!.offset).toBe(7n)
  })

  it('auto-commits on an interval and at close', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 10)
    const groupId = randomTopic('g')
    const consumer = consumerFor(broker, { groupId, autoCommitIntervalMs: 100, autoOffsetReset: 'earliest' })
    await consumer.subscribe([topic])
    const done = consumer.run({ eachMessage: () => {} })
    await waitFor(async () => (await consumer.committed([{ topic, partition: 0 }]))[0]!.offset === 10n, { message: 'interval commit of 10' })
    await produceValues(broker, topic, [0], 3)
    await waitFor(() => consumer.position({ topic, partition: 0 }) === 13n)
    await consumer.close()
    await done
    const reader = consumerFor(broker, { groupId })
    await reader.assign([{ topic, partition: 0 }])
    await waitFor(() => reader.position({ topic, partition: 0 }) === 13n, { message: 'close committed 13' })
  })
})

describe('positions', () => {
  it('position(), lag(), seek, seekToBeginning / seekToEnd', async () => {
    const topic = await newTopic(broker, 1)
    await produceValues(broker, topic, [0], 50)
    const tp = { topic, partition: 0 }
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', maxPollRecords: 10 })
    await consumer.assign([tp])
    expect(consumer.lag()[0]).toMatchObject({ topic, partition: 0 })
    await take(consumer, 5)
    await waitFor(() => consumer.lag()[0]!.endOffset === 50n)
    const lag = consumer.lag()[0]!
    expect(lag.lag).toBe(50n - lag.position!)
    consumer.seek({ ...tp, offset: 40n })
    expect(consumer.position(tp)).toBe(40n)
    expect((await take(consumer, 1))[0]!.offset).toBe(40n)
    consumer.seekToBeginning()
    expect((await take(consumer, 1))[0]!.offset).toBe(0n)
    consumer.seekToEnd([tp])
    await waitFor(() => consumer.position(tp) === 50n)
    expect(consumer.lag()[0]!.lag).toBe(0n)
    expect(() => consumer.seek({ topic, partition: 9, offset: 0n })).toThrow(/not assigned/)
  })

  it('pause() stops a partition, resume() restarts it where it was', async () => {
    const topic = await newTopic(broker, 2)
    await produceValues(broker, topic, [0, 1], 30)
    const consumer = consumerFor(broker, { autoOffsetReset: 'earliest', maxPollRecords: 5 })
    await consumer.assign([{ topic, partition: 0 }, { topic, partition: 1 }])
    consumer.pause([{ topic, partition: 1 }])
    expect(consumer.paused()).toEqual([{ topic, partition: 1 }])
    const first = await take(consumer, 30)
    expect(first.every((r) => r.partition === 0)).toBe(true)
    consumer.resume([{ topic, partition: 1 }])
    // The loop above broke on 0:29 without finishing it, so it comes again (at least once).
    const rest = await take(consumer, 31)
    expect(rest.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual([29n])
    expect(rest.filter((r) => r.partition === 1).map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)))
  })
})

import { Admin, silentLogger, type Logger } from '@tributary/client'
import { Consumer, type ConsumerRecord } from '@tributary/consumer'
import { Producer, type ProducerRecord } from '@tributary/producer'
import { randomTopic, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'

/** Broker settings for streams tests: no initial rebalance delay, short sessions allowed, quick cleanup of timed-out transactions. */
export const STREAMS_BROKER_CONFIGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '250',
}

export function startBroker(): Promise<TestBroker> {
  return startTestBroker({ configs: STREAMS_BROKER_CONFIGS })
}

/** A quiet logger unless TRIBUTARY_TEST_LOG=1. */
export const logger: Logger = process.env.TRIBUTARY_TEST_LOG === '1' ? { debug: () => {}, info: console.log, warn: console.warn, error: console.error } : silentLogger

/** Consumer settings that make group tests quick. */
export const FAST_CONSUMER = { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 200, fetchMaxWaitMs: 50, retryBackoffMs: 50 }

/** Creates topics (name → partitions) and returns the names. */
export async function createTopics(bootstrapServers: string, topics: Record<string, number>, configs: Record<string, string> = {}): Promise<void> {
  const admin = new Admin({ bootstrapServers, logger })
  try {
    await admin.createTopics(Object.entries(topics).map(([name, partitions]) => ({ name, partitions, configs })))
  } finally {
    await admin.close()
  }
}

/** A fresh topic name. */
export const topicName = (prefix: string) => randomTopic(prefix)

/** Produces records (in batches) with an idempotent producer. */
export async function produce(bootstrapServers: string, records: ProducerRecord[]): Promise<void> {
  const producer = new Producer({ bootstrapServers, logger, lingerMs: 5 })
  try {
    for (let i = 0; i < records.length; i += 5_000) await producer.sendBatch(records.slice(i, i + 5_000))
  } finally {
    await producer.close()
  }
}

/** End offsets (read_committed: last stable offsets) of every partition of `topic`. */
export async function endOffsets(bootstrapServers: string, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Map<number, number>> {
  const admin = new Admin({ bootstrapServers, logger })
  try {
    const listed = await admin.listOffsets([{ topic }], { isolationLevel })
    return new Map(listed.map((o) => [o.partition, Number(o.offset)]))
  } finally {
    await admin.close()
  }
}

/** The group's committed offsets of `topic`, by partition. */
export async function committedOffsets(bootstrapServers: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = new Admin({ bootstrapServers, logger })
  try {
    const offsets = await admin.fetchGroupOffsets(groupId, { topics: [topic] })
    return new Map(offsets.filter((o) => o.offset !== null && o.offset >= 0n).map((o) => [o.partition, Number(o.offset)]))
  } finally {
    await admin.close()
  }
}

/**
 * Every record of `topic` up to its current end, read without a group (read_committed unless told
 * otherwise). With read_committed it first waits until no transaction is open on the topic (an
 * instance killed mid-transaction leaves one open until the transaction timeout aborts it), so the
 * last stable offset is the end.
 */
export async function readAll(bootstrapServers: string, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<ConsumerRecord[]> {
  let ends = await endOffsets(bootstrapServers, topic, isolationLevel)
  if (isolationLevel === 'read_committed') {
    const deadline = Date.now() + 30_000
    for (;;) {
      const all = await endOffsets(bootstrapServers, topic, 'read_uncommitted')
      if ([...all].every(([p, end]) => ends.get(p) === end)) break
      if (Date.now() > deadline) throw new Error(`${topic} still has open transactions after 30 s`)
      await new Promise((r) => setTimeout(r, 100))
      ends = await endOffsets(bootstrapServers, topic, isolationLevel)
    }
  }
  const partitions = [...ends.keys()].map((partition) => ({ topic, partition }))
  const consumer = new Consumer({ bootstrapServers, logger, isolationLevel, autoOffsetReset: 'earliest', fetchMaxWaitMs: 50, maxPollRecords: 5_000 })
  const out: ConsumerRecord[] = []
  const stop = new AbortController()
  try {
    if ([...ends.values()].every((e) => e === 0)) return out
    await consumer.assign(partitions)
    const done = () => partitions.every((tp) => (ends.get(tp.partition) ?? 0) === 0 || (consumer.position(tp) ?? -1n) >= BigInt(ends.get(tp.partition)!))
    const running = consumer.run({ eachBatch: ({ records }) => void out.push(...records), signal: stop.signal })
    const deadline = Date.now() + 60_000
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} timed out`)
      await new Promise((r) => setTimeout(r, 10))
    }
    stop.abort()
    await running
    return out
  } finally {
    await consumer.close()
  }
}

/** Waits until the group has committed every input partition up to its current end. */
export async function waitForCommitted(bootstrapServers: string, groupId: string, topic: string, timeoutMs = 30_000): Promise<void> {
  const ends = await endOffsets(bootstrapServers, topic)
  await waitFor(
    async () => {
      const committed = await committedOffsets(bootstrapServers, groupId, topic)
      return [...ends].every(([p, end]) => (committed.get(p) ?? 0) === end)
    },
    { timeoutMs, intervalMs: 100, message: `group ${groupId} to commit every offset of ${topic}` },
  )
}

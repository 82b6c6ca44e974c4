import { silentLogger } from '@tributary/client'
import { ApiVersionsApi } from '@tributary/protocol'
import { RawClient, createTopic, produce, randomTopic, startTestBroker, textBatch, type TestBroker, type TextRecord } from '@tributary/testkit'
import { Kafka, logLevel } from 'kafkajs'
import { Consumer, type ConsumerOptions } from '../src/index.js'

/** Shared by the integration tests: a broker, topics with records, and consumers that are closed afterwards. */

/** Broker settings that make group tests fast: no initial rebalance delay, short session timeouts allowed. */
export const FAST_GROUP_CONFIGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
}

/** Starts a memory broker with fast group settings. */
export function startBroker(): Promise<TestBroker> {
  return startTestBroker({ configs: FAST_GROUP_CONFIGS })
}

/** Creates a topic with `partitions` partitions and returns its name. */
export async function newTopic(broker: TestBroker, partitions = 1, prefix = 'consumer'): Promise<string> {
  const topic = randomTopic(prefix)
  const client = await RawClient.connect(broker.broker.port)
  try {
    await createTopic(client, topic, partitions)
  } finally {
    await client.close()
  }
  return topic
}

/**
 * Produces `count` records to each listed partition, values `p<partition>-<i>` (keys `k<i>`), in
 * batches of `batchSize`.
 */
export async function produceValues(broker: TestBroker, topic: string, partitions: number[], count: number, batchSize = 100): Promise<void> {
  const client = await RawClient.connect(broker.broker.port)
  try {
    for (const p of partitions) {
      for (let i = 0; i < count; i += batchSize) {
        const records: TextRecord[] = []
        for (let j = i; j < Math.min(count, i + batchSize); j++) records.push({ key: `k${j}`, value: `p${p}-${j}`, headers: { n: String(j) } })
        await produce(client, topic, p, textBatch(records))
      }
    }
  } finally {
    await client.close()
  }
}

/** Consumers created through {@link consumerFor}, closed by {@link closeAll}. */
const open = new Set<Consumer<unknown, unknown>>()

/** A consumer for `broker` with quiet logs and test-friendly timings, tracked for {@link closeAll}. */
export function consumerFor<K = Buffer | null, V = Buffer | null>(broker: TestBroker, options: Omit<ConsumerOptions<K, V>, 'bootstrapServers'> = {}): Consumer<K, V> {
  const consumer = new Consumer<K, V>({
    bootstrapServers: broker.broker.bootstrapServers,
    logger: process.env.TRIBUTARY_TEST_LOG === '1' ? undefined : silentLogger,
    fetchMaxWaitMs: 100,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 200,
    retryBackoffMs: 50,
    ...options,
  } as ConsumerOptions<K, V>)
  open.add(consumer as Consumer<unknown, unknown>)
  return consumer
}

/** Closes every consumer made by {@link consumerFor}. */
export async function closeAll(): Promise<void> {
  const all = [...open]
  open.clear()
  await Promise.all(all.map((c) => c.close().catch(() => {})))
}

/** Reads `count` records from a consumer's iterator, as `p<partition>-<i>` value strings with offsets. */
export async function take<K, V>(consumer: Consumer<K, V>, count: number): Promise<{ topic: string; partition: number; offset: bigint; value: V; key: K }[]> {
  const out: { topic: string; partition: number; offset: bigint; value: V; key: K }[] = []
  if (count === 0) return out
  for await (const r of consumer) {
    out.push({ topic: r.topic, partition: r.partition, offset: r.offset, value: r.value, key: r.key })
    if (out.length >= count) break
  }
  return out
}

/** A quiet kafkajs client. */
export function kafkajs(bootstrap: string, clientId = 'consumer-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: process.env.TRIBUTARY_TEST_LOG === '1' ? logLevel.WARN : logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 1000 },
  })
}

/** The API keys the broker advertises in ApiVersions (checked at run time: features land while we work). */
export async function servedApis(broker: TestBroker): Promise<Set<number>> {
  const client = await RawClient.connect(broker.broker.port)
  try {
    const res = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'consumer-test', clientSoftwareVersion: '1' })
    return new Set(res.apiKeys.map((k) => k.apiKey))
  } finally {
    await client.close()
  }
}

/** API keys a broker must serve for transactional producers: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn. */
export const TRANSACTION_APIS = [22, 24, 25, 26]

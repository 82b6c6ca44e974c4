import { waitFor } from '@tributary/testkit'
import { Kafka, logLevel, type Consumer } from 'kafkajs'

/** Broker settings that make consumer groups start at once in tests. */
export const FAST_GROUPS = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000' }

/** A message as a kafkajs consumer received it. */
export interface ConsumedMessage {
  partition: number
  offset: string
  key: string | null
  value: string | null
  headers: Record<string, string>
}

/**
 * Consumes `topic` from the beginning with a kafkajs consumer (read_committed unless told otherwise)
 * until `done(messages)` holds, then disconnects and returns what it received.
 */
export async function consumeWithKafkajs(
  bootstrapServers: string,
  topic: string,
  done: (messages: ConsumedMessage[]) => boolean,
  options: { readUncommitted?: boolean; timeoutMs?: number } = {},
): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'producer-tests', brokers: [bootstrapServers], logLevel: logLevel.NOTHING })
  const consumer: Consumer = kafka.consumer({
    groupId: `reader-${topic}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: options.readUncommitted ?? false,
    sessionTimeout: 6000,
    rebalanceTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  })
  const received: ConsumedMessage[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Array.isArray(v) ? v.map(String).join(',') : String(v)
        received.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers })
      },
    })
    await waitFor(() => done(received), { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 50, message: `kafkajs to consume the expected messages of ${topic} (got ${received.length})` })
    return received
  } finally {
    await consumer.disconnect()
  }
}

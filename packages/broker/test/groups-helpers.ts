import { ConsumerProtocolAssignmentCodec, ConsumerProtocolSubscriptionCodec, Reader, Writer } from '@tributary/protocol'
import { Kafka, logLevel } from 'kafkajs'

/** Shared by the groups-*.test.ts files: consumer-protocol bytes and a quiet kafkajs client. */

/** Consumer-protocol subscription bytes (version prefix + ConsumerProtocolSubscription), as Java consumers send. */
export function subscriptionBytes(topics: string[], version = 0): Buffer {
  const w = new Writer()
  w.int16(version)
  ConsumerProtocolSubscriptionCodec.encode(w, version, { topics, userData: null })
  return w.toBuffer()
}

/** Consumer-protocol assignment bytes for one topic. */
export function assignmentBytes(topic: string, partitions: number[]): Buffer {
  const w = new Writer()
  w.int16(0)
  ConsumerProtocolAssignmentCodec.encode(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null })
  return w.toBuffer()
}

/** The `topic-partition` names in consumer-protocol assignment bytes (empty for empty bytes). */
export function assignedPartitions(bytes: Buffer): string[] {
  if (bytes.length === 0) return []
  const r = new Reader(bytes)
  const version = r.int16()
  const decoded = ConsumerProtocolAssignmentCodec.decode(r, Math.min(version, ConsumerProtocolAssignmentCodec.maxVersion))
  return decoded.assignedPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)).sort()
}

/** A kafkajs client for `bootstrap` that logs nothing (set TRIBUTARY_TEST_LOG=1 to see its warnings). */
export function kafkajs(bootstrap: string, clientId = 'groups-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: process.env.TRIBUTARY_TEST_LOG === '1' ? logLevel.WARN : logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 1000 },
  })
}


import { UnsupportedVersionError, type Cluster, type Connection } from '@tributary/client'
import { KafkaError, ProduceApi, type Input, type ProduceRequest, type ProduceRequestTopicProduceData, type ProduceResponse, type ProduceResponsePartitionProduceResponse } from '@tributary/protocol'
import type { ResolvedProducerOptions } from '../options.js'
import type { ProducerBatch } from './batch.js'
import type { BatchOutcomes } from './outcomes.js'

/** What one Produce exchange needs from the sender. */
export interface ProduceExchangeContext {
  options: ResolvedProducerOptions
  transactionalId: string | null
  outcomes: BatchOutcomes
  cluster: Cluster
  /** The request is over (answered, failed or written with acks=0): release its in-flight slots. */
  settled(): void
  wakeup(): void
}

/**
 * Sends one Produce request carrying `batches` (encoded, one per partition) on `conn` and hands each
 * batch's outcome to {@link BatchOutcomes}. The request may wait at most `requestTimeoutMs`, and no
 * longer than the earliest delivery deadline among its batches, so that no record outlives its
 * `deliveryTimeoutMs`. With acks=0 the batches succeed (offset unknown) once the socket took the bytes.
 */
export function exchangeProduce(conn: Connection, batches: readonly ProducerBatch[], now: number, c: ProduceExchangeContext): void {
  const o = c.options
  const failed = (err: unknown) => {
    c.settled()
    c.cluster.handleError(err)
    const at = Date.now()
    for (const b of batches) c.outcomes.unanswered(b, err, at)
    c.wakeup()
  }
  let version: number
  try {
    version = conn.versionFor(ProduceApi)
    if (version < 3) throw new UnsupportedVersionError(`Broker ${conn.address} offers Produce up to version ${version}; record batches (magic 2) need version 3 or later`)
  } catch (err) {
    c.settled()
    for (const b of batches) c.outcomes.giveUp(b, err as KafkaError)
    c.wakeup()
    return
  }
  const body = produceRequestBody(batches, o.acks, o.requestTimeoutMs, c.transactionalId)
  if (o.acks === 0) {
    conn.sendWithoutResponse(ProduceApi, body, { version }).then(() => {
      c.settled()
      for (const b of batches) c.outcomes.succeeded(b, -1n, -1n)
      c.wakeup()
    }, failed)
    return
  }
  let deadline = Number.POSITIVE_INFINITY
  for (const b of batches) if (b.deadline < deadline) deadline = b.deadline
  const timeoutMs = Math.max(1, Math.min(o.requestTimeoutMs, deadline - now))
  conn.request(ProduceApi, body, { version, timeoutMs }).then((response: ProduceResponse) => {
    c.settled()
    const at = Date.now()
    for (const b of batches) {
      const result = partitionResult(response, b.topic, b.partition)
      if (result === undefined) c.outcomes.unanswered(b, new KafkaError(`The Produce response has no answer for ${b.topic}-${b.partition}`, { code: 'NETWORK_EXCEPTION', retriable: true }), at)
      else c.outcomes.answered(b, result, at)
    }
    c.wakeup()
  }, failed)
}

/** The body of one Produce request: the batches (already encoded, one per partition) grouped by topic. */
export function produceRequestBody(batches: readonly ProducerBatch[], acks: number, timeoutMs: number, transactionalId: string | null): Input<ProduceRequest> {
  const topicData: Input<ProduceRequestTopicProduceData>[] = []
  if (batches.length === 1) {
    const b = batches[0]!
    topicData.push({ name: b.topic, partitionData: [{ index: b.partition, records: b.encoded! }] })
  } else {
    const byTopic = new Map<string, { index: number; records: Buffer }[]>()
    for (const b of batches) {
      let partitions = byTopic.get(b.topic)
      if (partitions === undefined) {
        partitions = []
        byTopic.set(b.topic, partitions)
        topicData.push({ name: b.topic, partitionData: partitions })
      }
      partitions.push({ index: b.partition, records: b.encoded! })
    }
  }
  return { transactionalId, acks, timeoutMs, topicData }
}

/** The response's answer for one partition, or undefined when it has none. */
export function partitionResult(response: ProduceResponse, topic: string, partition: number): ProduceResponsePartitionProduceResponse | undefined {
  for (const t of response.responses) {
    if (t.name !== topic) continue
    for (const p of t.partitionResponses) if (p.index === partition) return p
  }
  return undefined
}

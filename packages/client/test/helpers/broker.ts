import { startBroker, type Broker, type InterceptedRequest } from '@tributary/broker'
import { ProduceApi, encodeRecordBatch, errorForCode } from '@tributary/protocol'
import { Cluster } from '../../src/cluster/cluster.js'
import { Connection } from '../../src/connection/connection.js'
import { clientOptionsSchema } from '../../src/options/client-options.js'
import { silentLogger } from '../../src/options/logger.js'
import { parseOptions } from '../../src/options/parse-options.js'
import type { ApiIdentity, ApiVersionTable } from '../../src/connection/versions.js'

export type { Broker }

/** An in-memory broker on a free port. */
export function startTestBroker(): Promise<Broker> {
  return startBroker({ port: 0, storage: 'memory', logger: { info() {}, warn() {}, error() {} } })
}

/** Client options for `broker` with a quiet logger and fast retries. */
export function clientOptions(broker: Broker, overrides: Record<string, unknown> = {}) {
  return { bootstrapServers: broker.bootstrapServers, logger: silentLogger, retryBackoffMs: 20, retryBackoffMaxMs: 100, ...overrides }
}

export function testCluster(broker: Broker, overrides: Record<string, unknown> = {}): Cluster {
  return new Cluster(parseOptions(clientOptionsSchema, clientOptions(broker, overrides), 'test'))
}

/** What the broker advertises, asked at run time so tests follow the broker as it gains APIs. */
export async function advertisedVersions(broker: Broker): Promise<ApiVersionTable> {
  const conn = await Connection.open({ host: broker.host, port: broker.port, clientId: 'probe', requestTimeoutMs: 5_000, socketConnectionSetupTimeoutMs: 5_000 })
  try {
    return conn.versions
  } finally {
    conn.close()
  }
}

/** True when the broker serves every one of `apis`. */
export async function brokerSupports(broker: Broker, ...apis: ApiIdentity[]): Promise<boolean> {
  const versions = await advertisedVersions(broker)
  return apis.every((api) => versions.supports(api))
}

/** Records every request the broker sees, in order. */
export function recordRequests(broker: Broker): { seen: InterceptedRequest[]; stop(): void } {
  const seen: InterceptedRequest[] = []
  const stop = broker.intercept((r) => void seen.push(r))
  return { seen, stop }
}

/**
 * Appends `values` to a partition with a plain Produce request (acks=1), one record per value,
 * timestamps `baseTimestamp + i` — the producer package is built on this client, so tests here write raw.
 */
export async function produceRaw(cluster: Cluster, topic: string, partition: number, values: string[], baseTimestamp = Date.now()): Promise<bigint> {
  const { node } = await cluster.leaderFor(topic, partition)
  const conn = await cluster.connectionTo(node.nodeId)
  const records = encodeRecordBatch({ records: values.map((v, i) => ({ value: Buffer.from(v), timestamp: baseTimestamp + i })) })
  const response = await conn.request(ProduceApi, { acks: 1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  const p = response.responses[0]!.partitionResponses[0]!
  const error = errorForCode(p.errorCode, `${topic}-${partition}`)
  if (error) throw error
  return p.baseOffset
}

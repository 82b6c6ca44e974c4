import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { KafkaError } from '@tributary/protocol'
import type { LogStorage } from '../log/storage.js'

/** Kafka's identity file in the data directory: which cluster and node the data belongs to. */
export const META_PROPERTIES_FILE = 'meta.properties'

/**
 * A new cluster id in Kafka's form: a random UUID's 16 bytes in URL-safe base64 without padding
 * (22 characters), as `kafka-storage random-uuid` prints.
 */
export function generateClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url')
}

function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue
    const at = trimmed.search(/[=:]/)
    if (at > 0) out.set(trimmed.slice(0, at).trim(), trimmed.slice(at + 1).trim())
  }
  return out
}

/**
 * Reads the cluster id from `<dataDir>/meta.properties`, writing the file on first start. A data
 * directory written by another cluster or node refuses to start, as Kafka does, so that two
 * brokers' data is never mixed up.
 *
 * @throws KafkaError `INCONSISTENT_CLUSTER_ID` on a mismatch, `KAFKA_STORAGE_ERROR` for an unreadable file.
 */
export function loadClusterIdentity(storage: LogStorage, dataDir: string, nodeId: number, wanted: string | undefined): string {
  const path = join(dataDir, META_PROPERTIES_FILE)
  const existing = storage.readAll(path)
  if (existing) {
    const props = parseProperties(existing.toString('utf8'))
    const clusterId = props.get('cluster.id')
    const storedNode = props.get('node.id')
    if (!clusterId) throw new KafkaError(`${path} has no cluster.id; restore it or remove the file to start a new cluster`, { code: 'KAFKA_STORAGE_ERROR' })
    if (wanted !== undefined && wanted !== clusterId) {
      throw new KafkaError(`The data directory ${dataDir} belongs to cluster ${clusterId}, not to the requested cluster ${wanted}`, { code: 'INCONSISTENT_CLUSTER_ID' })
    }
    if (storedNode !== undefined && storedNode !== String(nodeId)) {
      throw new KafkaError(`The data directory ${dataDir} belongs to node ${storedNode}, not to node ${nodeId}`, { code: 'INCONSISTENT_CLUSTER_ID' })
    }
    return clusterId
  }
  const clusterId = wanted ?? generateClusterId()
  const text = `#Written by Tributary; identifies the cluster and node this data belongs to.\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`
  storage.writeAtomic(path, Buffer.from(text))
  return clusterId
}

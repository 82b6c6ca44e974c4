import { join } from 'node:path'
import { logError } from './errors.js'
import type { LogStorage } from './storage.js'

/** The file in the data directory that lists topics, their ids, partition counts and configs. */
export const METADATA_FILE = 'tributary-metadata.json'

/** One topic as persisted. */
export interface StoredTopic {
  name: string
  /** A UUID string. */
  topicId: string
  partitions: number
  /** Topic-level config overrides, by Kafka name. */
  configs: Record<string, string>
}

/** Everything the data directory must remember besides the logs themselves. */
export interface StoredMetadata {
  /** Broker-level defaults changed at runtime (AlterConfigs on the broker), by topic config name. */
  brokerConfigs: Record<string, string>
  topics: StoredTopic[]
}

/**
 * Reads the metadata file; a missing file is an empty broker. A file that exists but cannot be
 * parsed stops the start-up rather than forgetting topics whose data is still on disk.
 *
 * @throws KafkaError `KAFKA_STORAGE_ERROR` for an unreadable file.
 */
export function readMetadata(storage: LogStorage, dataDir: string): StoredMetadata {
  const path = join(dataDir, METADATA_FILE)
  const bytes = storage.readAll(path)
  if (!bytes) return { brokerConfigs: {}, topics: [] }
  try {
    const data = JSON.parse(bytes.toString('utf8')) as { version?: unknown; brokerConfigs?: unknown; topics?: unknown }
    if (data.version !== 1 || !Array.isArray(data.topics)) throw new Error('unknown version or shape')
    const topics = data.topics.map((t: Partial<StoredTopic>): StoredTopic => {
      if (typeof t.name !== 'string' || typeof t.topicId !== 'string' || !Number.isInteger(t.partitions)) throw new Error(`bad topic entry ${JSON.stringify(t)}`)
      return { name: t.name, topicId: t.topicId, partitions: t.partitions!, configs: stringRecord(t.configs) }
    })
    return { brokerConfigs: stringRecord(data.brokerConfigs), topics }
  } catch (err) {
    throw logError('KAFKA_STORAGE_ERROR', `The metadata file ${path} cannot be read (${(err as Error).message}); fix or remove it to start`, err)
  }
}

/** Replaces the metadata file atomically. */
export function writeMetadata(storage: LogStorage, dataDir: string, metadata: StoredMetadata): void {
  const data = { version: 1, brokerConfigs: metadata.brokerConfigs, topics: metadata.topics }
  storage.writeAtomic(join(dataDir, METADATA_FILE), Buffer.from(JSON.stringify(data, null, 2) + '\n', 'utf8'))
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v
  }
  return out
}

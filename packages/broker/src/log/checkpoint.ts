import { join } from 'node:path'
import type { LogStorage } from './storage.js'

/** The per-partition file naming the topic the directory belongs to, like Kafka's. */
export const PARTITION_METADATA_FILE = 'partition.metadata'
/** The per-partition checkpoint of the log start offset and recovery point. */
export const CHECKPOINT_FILE = 'log-offsets.checkpoint'

/** Offsets a partition must remember across restarts. */
export interface LogCheckpoint {
  /** Offsets below this were deleted (retention or DeleteRecords). */
  logStartOffset: number
  /** Everything below this offset was fsynced: recovery after a crash may start there. */
  recoveryPoint: number
}

/**
 * Reads the checkpoint of a partition directory; a missing or unreadable file gives zeros (the
 * conservative answer: keep every segment's data and recover everything).
 */
export function readCheckpoint(storage: LogStorage, dir: string): LogCheckpoint {
  const text = storage.readAll(join(dir, CHECKPOINT_FILE))?.toString('utf8') ?? ''
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/)
    if (key && value && /^\d+$/.test(value)) values.set(key, Number(value))
  }
  if (values.get('version') !== 0) return { logStartOffset: 0, recoveryPoint: 0 }
  return { logStartOffset: values.get('logStartOffset') ?? 0, recoveryPoint: values.get('recoveryPoint') ?? 0 }
}

/** Replaces the checkpoint of a partition directory atomically. */
export function writeCheckpoint(storage: LogStorage, dir: string, c: LogCheckpoint): void {
  const text = `version 0\nlogStartOffset ${c.logStartOffset}\nrecoveryPoint ${c.recoveryPoint}\n`
  storage.writeAtomic(join(dir, CHECKPOINT_FILE), Buffer.from(text, 'utf8'))
}

/** Writes `partition.metadata` (`version: 0`, `topic_id: <uuid>`). */
export function writePartitionMetadata(storage: LogStorage, dir: string, topicId: string): void {
  storage.writeAtomic(join(dir, PARTITION_METADATA_FILE), Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'))
}

/** The topic id recorded in a partition directory, or undefined when the file is missing or unreadable. */
export function readPartitionTopicId(storage: LogStorage, dir: string): string | undefined {
  const text = storage.readAll(join(dir, PARTITION_METADATA_FILE))?.toString('utf8')
  return text ? /^topic_id:\s*(\S+)\s*$/m.exec(text)?.[1] : undefined
}

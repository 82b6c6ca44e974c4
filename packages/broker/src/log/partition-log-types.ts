import type { AppendOrigin } from './append-validation.js'
import type { StorageLogger } from './logger.js'
import type { RetentionReason } from './retention.js'
import type { LogStorage } from './storage.js'
import type { TopicConfig } from './topic-config.js'

/** How to open a {@link PartitionLog}. */
export interface PartitionLogOptions {
  storage: LogStorage
  /** The partition directory, `<dataDir>/<topic>-<partition>`; created when missing. */
  dir: string
  topic: string
  partition: number
  config: TopicConfig
  /** False after a crash: the active segment (and anything not yet fsynced) is validated. Default true. */
  cleanShutdown?: boolean
  /** Milliseconds since the epoch; inject a fake clock in tests. Default `Date.now`. */
  clock?: () => number
  logger?: StorageLogger
  /** The leader epoch stamped on appended batches. Default 0 (a single broker that never changes). */
  leaderEpoch?: number
  /** Check every stored batch's CRC while opening, and cut a segment at a corrupt one (see `loadSegments`). Default false. */
  verifySegments?: boolean
}

/** Options of {@link PartitionLog.append}. */
export interface AppendOptions {
  /** Default `'client'`: Produce requests. */
  origin?: AppendOrigin
}

/** Options of {@link PartitionLog.read}. */
export interface ReadOptions {
  /** Exclusive upper bound: batches starting at or above it are not returned (high watermark or LSO). */
  maxOffset?: number
  /** Return the first batch whole even when it is larger than `maxBytes`. Default true. */
  minOneBatch?: boolean
}

/** What a read returns. */
export interface ReadResult {
  /** Whole stored batches, byte for byte; empty when there is nothing to return. */
  records: Buffer
  logStartOffset: number
  /** The log end offset at the time of the read (the high watermark on a single broker). */
  highWatermark: number
}

/** What one retention pass did. */
export interface RetentionResult {
  deletedSegments: number
  deletedBytes: number
  reasons: RetentionReason[]
  logStartOffset: number
}

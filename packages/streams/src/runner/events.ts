import type { TopicPartition } from '@tributary/consumer'

/** Something a running app did, as `app.events` reports it. */
export type StreamsEvent =
  /** The app has started: producer initialized, group joined (or joining), tables loaded. */
  | { type: 'running' }
  /** Input partitions assigned to this instance, their state restored. */
  | { type: 'assigned'; partitions: TopicPartition[]; restoredRecords: number; restoreMs: number }
  /** Input partitions given up (`lost`: without being able to commit). */
  | { type: 'revoked'; partitions: TopicPartition[]; lost: boolean }
  /** Work committed: outputs, state changes and these input offsets (the next offset to read). */
  | { type: 'committed'; offsets: { topic: string; partition: number; offset: number }[] }
  /** Work since the last commit given up (transaction aborted) and consumption rewound to the committed offsets. */
  | { type: 'aborted'; reason: string; error?: unknown }
  /** An input record that could not be decoded, written to the dead-letter topic. */
  | { type: 'dead-lettered'; topic: string; partition: number; offset: bigint; deadLetterTopic: string; error: unknown }
  /** The app stopped because of `error` (`done` rejects with it). */
  | { type: 'failed'; error: unknown }
  /** The app closed. */
  | { type: 'closed' }

/** Counters of a running app (since it started). */
export interface StreamsMetrics {
  /** Input records handed to the pipeline (again after rewinds). */
  recordsProcessed: number
  /** Output records written (including those of aborted transactions). */
  outputsWritten: number
  deadLettered: number
  commits: number
  aborts: number
  /** Records windowed operators dropped as late. */
  lateRecords: number
  /** Changelog records read to restore state. */
  restoredRecords: number
}

/** Fresh counters. */
export function newMetrics(): StreamsMetrics {
  return { recordsProcessed: 0, outputsWritten: 0, deadLettered: 0, commits: 0, aborts: 0, lateRecords: 0, restoredRecords: 0 }
}

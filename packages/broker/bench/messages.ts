/** The messages between the broker bench and its load generator process (over the fork IPC channel). */

/** Produce to every partition of `topic` for `warmupMs`, then measure for `durationMs`. */
export interface ProduceJob {
  kind: 'produce'
  port: number
  topic: string
  partitions: number
  /** Bytes per record value. */
  recordSize: number
  /** Records per batch; each request carries one batch per partition. */
  recordsPerBatch: number
  /** Produce requests kept in flight. */
  inFlight: number
  acks: 1 | -1
  warmupMs: number
  durationMs: number
}

/** Read every partition of `topic` from offset 0 to its end, one fetch in flight per partition. */
export interface FetchJob {
  kind: 'fetch'
  port: number
  topic: string
  partitions: number
  /** Bytes per record value, to turn records into payload bytes. */
  recordSize: number
  /** Kafka consumer defaults: fetch.max.bytes and max.partition.fetch.bytes. */
  maxBytes: number
  partitionMaxBytes: number
}

export type Job = ProduceJob | FetchJob

/** What one measured phase achieved. */
export interface Measurement {
  records: number
  /** Record value bytes (records × record size): the payload, without batch and protocol overhead. */
  payloadBytes: number
  /** Bytes of record batches sent or received (payload plus batch and record headers). */
  batchBytes: number
  seconds: number
}

export type JobResult = { ok: true; measurement: Measurement } | { ok: false; error: string }

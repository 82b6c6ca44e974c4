import type { Consumer } from '@tributary/consumer'
import type { Producer, ProducerRecord, RecordMetadata } from '@tributary/producer'
import type { OffsetToCommit } from './partition-progress.js'

/** The processing guarantee of a runner. */
export type Guarantee = 'exactly-once' | 'at-least-once'

/**
 * How a runner writes outputs and makes work permanent. Exactly-once: everything since the last commit
 * (outputs, changelog writes, input offsets) is one transaction; giving up aborts it. At-least-once:
 * outputs are written as they come; a commit writes the changelog, waits for it, then commits the
 * offsets; giving up leaves what was written (it is written again after the rewind).
 */
export interface CommitStrategy {
  readonly guarantee: Guarantee
  /** Whether work was started since the last commit or abandon. */
  readonly open: boolean
  /** Prepares for work (exactly-once: initializes the transactional producer, fencing older instances). */
  init(): Promise<void>
  /** Called before feeding records (exactly-once: opens a transaction if none is open). */
  begin(): Promise<void>
  /** Writes records (within the open transaction under exactly-once). */
  sendBatch(records: ProducerRecord<Buffer | null, Buffer | null>[]): Promise<RecordMetadata[]>
  commit(changelog: readonly ProducerRecord<Buffer | null, Buffer | null>[], offsets: readonly OffsetToCommit[]): Promise<void>
  /** Gives up the work since the last commit. */
  abandon(): Promise<void>
  close(): Promise<void>
}

/** Exactly-once v2 (KIP-447): one transactional producer per instance; offsets committed with the consumer's group metadata. */
export class ExactlyOnceStrategy implements CommitStrategy {
  readonly guarantee = 'exactly-once'
  open = false

  constructor(
    private readonly producer: Producer<Buffer | null, Buffer | null>,
    private readonly consumer: Consumer,
  ) {}

  init(): Promise<void> {
    return this.producer.initTransactions()
  }

  async begin(): Promise<void> {
    if (this.open) return
    await this.producer.beginTransaction()
    this.open = true
  }

  sendBatch(records: ProducerRecord<Buffer | null, Buffer | null>[]): Promise<RecordMetadata[]> {
    return this.producer.sendBatch(records)
  }

  async commit(changelog: readonly ProducerRecord<Buffer | null, Buffer | null>[], offsets: readonly OffsetToCommit[]): Promise<void> {
    if (!this.open) return
    if (changelog.length > 0) await this.producer.sendBatch(changelog)
    if (offsets.length > 0) await this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata())
    await this.producer.commitTransaction()
    this.open = false
  }

  async abandon(): Promise<void> {
    if (!this.open) return
    this.open = false
    await this.producer.abortTransaction()
  }

  close(): Promise<void> {
    return this.producer.close()
  }
}

/** At-least-once: an idempotent producer, and offsets committed by the consumer after the writes. */
export class AtLeastOnceStrategy implements CommitStrategy {
  readonly guarantee = 'at-least-once'
  open = false

  constructor(
    private readonly producer: Producer<Buffer | null, Buffer | null>,
    private readonly consumer: Consumer,
  ) {}

  async init(): Promise<void> {
    await this.producer.connect()
  }

  async begin(): Promise<void> {
    this.open = true
  }

  sendBatch(records: ProducerRecord<Buffer | null, Buffer | null>[]): Promise<RecordMetadata[]> {
    return this.producer.sendBatch(records)
  }

  async commit(changelog: readonly ProducerRecord<Buffer | null, Buffer | null>[], offsets: readonly OffsetToCommit[]): Promise<void> {
    if (changelog.length > 0) await this.producer.sendBatch(changelog)
    await this.producer.flush()
    if (offsets.length > 0) await this.consumer.commit(offsets)
    this.open = false
  }

  async abandon(): Promise<void> {
    this.open = false
  }

  close(): Promise<void> {
    return this.producer.close()
  }
}

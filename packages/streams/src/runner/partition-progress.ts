import type { TopicPartition } from '@tributary/consumer'

interface Progress {
  topic: string
  partition: number
  /** Where the partition rewinds to: its committed offset, or the first offset fed when nothing was committed; -1 before either is known. */
  base: number
  /** The offset after the last record fed; -1 before the first. */
  fed: number
}

/** An offset to commit: the next offset to read from the partition. */
export interface OffsetToCommit {
  topic: string
  partition: number
  offset: number
}

/**
 * What has been fed and committed, per owned input partition: which offsets a commit covers, and
 * where a rewind takes each partition back to.
 */
export class PartitionProgress {
  private readonly partitions = new Map<string, Progress>()

  /** Starts tracking a partition owned from now on; `committed` is the group's committed offset, if any. */
  assign(tp: TopicPartition, committed: number | null): void {
    this.partitions.set(`${tp.topic}:${tp.partition}`, { topic: tp.topic, partition: tp.partition, base: committed ?? -1, fed: -1 })
  }

  drop(tp: TopicPartition): void {
    this.partitions.delete(`${tp.topic}:${tp.partition}`)
  }

  owns(topic: string, partition: number): boolean {
    return this.partitions.has(`${topic}:${partition}`)
  }

  /** Notes that the record at `offset` was fed. */
  fed(topic: string, partition: number, offset: number): void {
    const p = this.partitions.get(`${topic}:${partition}`)
    if (!p) return
    if (p.base < 0) p.base = offset
    p.fed = offset + 1
  }

  /** The offsets a commit now would cover: partitions fed past their base. */
  pending(): OffsetToCommit[] {
    const out: OffsetToCommit[] = []
    for (const p of this.partitions.values()) if (p.fed > p.base) out.push({ topic: p.topic, partition: p.partition, offset: p.fed })
    return out
  }

  /** Those offsets are committed: they become the new bases. */
  committed(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) {
      const p = this.partitions.get(`${o.topic}:${o.partition}`)
      if (p && o.offset > p.base) p.base = o.offset
    }
  }

  /** Where each partition fed since the last commit must go back to; their progress is reset to that point. */
  rewind(): OffsetToCommit[] {
    const out: OffsetToCommit[] = []
    for (const p of this.partitions.values()) {
      if (p.fed < 0 || p.base < 0) continue
      if (p.fed !== p.base) out.push({ topic: p.topic, partition: p.partition, offset: p.base })
      p.fed = -1
    }
    return out
  }
}

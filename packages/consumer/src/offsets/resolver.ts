import { KafkaError, isRetriable } from '@tributary/protocol'
import { sleep } from '@tributary/client'
import type { ConsumerContext } from '../context.js'
import { formatPartitions } from '../record.js'
import type { OffsetCommitter } from './committer.js'
import type { PartitionState } from './positions.js'
import { listOffsets } from './reset.js'

/**
 * Finds the positions of partitions that have none: the group's committed offset when there is one,
 * else `autoOffsetReset` ('earliest' / 'latest' through ListOffsets; 'none' reports a
 * NO_OFFSET_FOR_PARTITION error naming the partitions, which then wait for a `seek`). It also carries
 * out explicit resets (`seekToBeginning`, `seekToEnd`) and resets after OFFSET_OUT_OF_RANGE.
 *
 * One resolution runs at a time; {@link schedule} starts one, or another right after the current one
 * when new work came in meanwhile.
 */
export class PositionResolver {
  private running: Promise<void> | undefined
  private again = false

  constructor(
    private readonly ctx: ConsumerContext,
    private readonly committer: OffsetCommitter | undefined,
  ) {}

  /** Resolves every pending position, now or right after the resolution under way. */
  schedule(): void {
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.loop().finally(() => {
      this.running = undefined
      if (this.again && !this.ctx.closing) this.schedule()
    })
  }

  private async loop(): Promise<void> {
    do {
      this.again = false
      try {
        await this.resolve()
      } catch (err) {
        if (this.ctx.closing) return
        if (isRetriable(err)) {
          this.ctx.logger.warn(`Finding consumer positions failed, retrying: ${(err as Error).message}`)
          await sleep(this.ctx.options.retryBackoffMs, this.ctx.closeSignal).catch(() => {})
          this.again = true
        } else {
          this.ctx.fail(err instanceof KafkaError ? err : new KafkaError(`Finding consumer positions failed: ${(err as Error).message}`, { code: 'UNKNOWN', cause: err }))
        }
      }
    } while (this.again && !this.ctx.closing)
  }

  private async resolve(): Promise<void> {
    const policy = this.ctx.options.autoOffsetReset
    const pending = (source: string) => this.ctx.partitions.all().filter((s) => s.pending === source && s.awaitingSeek === null)

    const fromCommits = pending('committed')
    if (fromCommits.length > 0) {
      const epochs = snapshot(fromCommits)
      const committed = this.committer ? await this.committer.fetchCommitted(fromCommits, this.ctx.closeSignal) : new Map()
      for (const s of fromCommits) {
        if (!current(this.ctx, s, epochs, 'committed')) continue
        const c = committed.get(s.key)
        if (c && c.offset >= 0) {
          s.seek(c.offset)
          s.committed = c.offset
        } else if (policy !== 'none') s.pending = policy
      }
      const stuck = fromCommits.filter((s) => s.pending !== null && policy === 'none' && current(this.ctx, s, epochs, 'committed'))
      if (stuck.length > 0) {
        const error = new KafkaError(
          `No committed offset for ${formatPartitions(stuck)} and autoOffsetReset is 'none': seek() each to a position, or set autoOffsetReset to 'earliest' or 'latest'`,
          { code: 'NO_OFFSET_FOR_PARTITION' },
        )
        for (const s of stuck) s.awaitingSeek = error
      }
    }

    const isolation = this.ctx.options.isolationLevel === 'read_committed' ? 1 : 0
    for (const at of ['earliest', 'latest'] as const) {
      const states = pending(at)
      if (states.length === 0) continue
      const epochs = snapshot(states)
      const offsets = await listOffsets(this.ctx.cluster, states, at, isolation, this.ctx.closeSignal)
      for (const s of states) {
        if (!current(this.ctx, s, epochs, at)) continue
        s.seek(offsets.get(s.key)!)
        this.ctx.logger.debug(`Reset ${s.topic}-${s.partition} to its ${at} offset ${s.position}`)
      }
    }
    this.ctx.partitions.changed()
  }
}

function snapshot(states: readonly PartitionState[]): Map<PartitionState, number> {
  return new Map(states.map((s) => [s, s.epoch]))
}

/** Whether a state is still assigned and untouched (no seek) since its resolution began. */
function current(ctx: ConsumerContext, s: PartitionState, epochs: Map<PartitionState, number>, source: string): boolean {
  return ctx.partitions.get(s.topic, s.partition) === s && s.epoch === epochs.get(s) && s.pending === source
}

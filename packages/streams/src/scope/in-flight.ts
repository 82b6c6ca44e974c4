import { ProcessingScope, type SettledListener } from './processing-scope.js'

/** A scope counted by an {@link InFlight}: it knows its flow, so settling needs no closure per record. */
class CountedScope extends ProcessingScope {
  constructor(
    topic: string,
    partition: number,
    offset: number,
    onSettled: SettledListener,
    readonly flow: PartitionFlow,
    readonly generation: number,
    readonly listener: SettledListener | undefined,
  ) {
    super(topic, partition, offset, onSettled)
  }
}

/** Where a source stands with one partition. */
export class PartitionFlow {
  private readonly scopes: ProcessingScope[] = []
  private head = 0
  /** Records handed to the pipeline whose scopes have not settled. */
  open = 0
  /** The offset after the last record handed over; -1 before the first. */
  next = -1
  /** Paused for backpressure (not by the user). */
  paused = false

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /**
   * The offset up to which every record handed over has settled: what may be committed. A failed
   * record is never passed.
   */
  committable(): number {
    this.advance()
    return this.head < this.scopes.length ? this.scopes[this.head]!.offset : this.next
  }

  /** Forgets the settled records at the front (they settle mostly in order), so they are not kept alive. */
  advance(): void {
    const scopes = this.scopes
    while (this.head < scopes.length && scopes[this.head]!.settled && !scopes[this.head]!.hasFailed) this.head++
    if (this.head === scopes.length) {
      scopes.length = 0
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > scopes.length) {
      scopes.splice(0, this.head)
      this.head = 0
    }
  }

  /** @internal */
  push(scope: ProcessingScope): void {
    this.scopes.push(scope)
    this.open++
    this.next = scope.offset + 1
  }
}

/** What {@link InFlight} does to a partition's consumption. */
export interface FlowControl {
  pause(topic: string, partition: number): void
  resume(topic: string, partition: number): void
}

/**
 * Backpressure by partition: counts the records handed to a pipeline whose scopes have not settled.
 * Sources check {@link full} before handing over a delivery and call {@link pauseIfFull} after it, so
 * a partition is paused (between deliveries, keeping the consumer's buffered data) once it has
 * `maxInFlight` records in flight, and resumed once half of them have settled. At most
 * `maxInFlight` plus one delivery (`maxPollRecords`) of a partition are in flight, and nothing is
 * buffered here: the consumer simply stops fetching a paused partition.
 *
 * @example
 * ```ts
 * const flows = new InFlight(10_000, { pause: (t, p) => consumer.pause([{ topic: t, partition: p }]), resume: ... })
 * for (const record of batch) runInScope(flows.begin(topic, partition, Number(record.offset)), () => input.next(record))
 * flows.pauseIfFull(topic, partition)
 * ```
 */
export class InFlight {
  private readonly flows = new Map<string, PartitionFlow>()
  private generation = 0
  private idleWaiters: (() => void)[] = []
  private total = 0
  private readonly resumeAt: number

  constructor(
    readonly maxInFlight: number,
    private readonly control: FlowControl,
  ) {
    this.resumeAt = Math.floor(maxInFlight / 2)
  }

  /** The partition's flow (created on first use). */
  flow(topic: string, partition: number): PartitionFlow {
    const key = `${topic}:${partition}`
    let flow = this.flows.get(key)
    if (!flow) this.flows.set(key, (flow = new PartitionFlow(topic, partition)))
    return flow
  }

  /** Every partition's flow. */
  all(): PartitionFlow[] {
    return [...this.flows.values()]
  }

  /** Records in flight over all partitions. */
  get inFlight(): number {
    return this.total
  }

  /** Whether the partition has `maxInFlight` records in flight (a delivery should wait). */
  full(topic: string, partition: number): boolean {
    return this.flow(topic, partition).open >= this.maxInFlight
  }

  /** Pauses the partition when it is full; returns whether it is paused for backpressure. */
  pauseIfFull(topic: string, partition: number): boolean {
    const flow = this.flow(topic, partition)
    if (!flow.paused && flow.open >= this.maxInFlight) {
      flow.paused = true
      this.control.pause(topic, partition)
    }
    return flow.paused
  }

  /** Opens the scope of the record at `offset`; `onSettled` is told when it settles. */
  begin(topic: string, partition: number, offset: number, onSettled?: SettledListener): ProcessingScope {
    const flow = this.flow(topic, partition)
    const scope = new CountedScope(topic, partition, offset, this.settledScope, flow, this.generation, onSettled)
    flow.push(scope)
    this.total++
    return scope
  }

  private readonly settledScope: SettledListener = (scope, error) => {
    const s = scope as CountedScope
    if (s.generation === this.generation && this.flows.get(`${s.topic}:${s.partition}`) === s.flow) this.settle(s.flow)
    s.listener?.(scope, error)
  }

  /** Forgets a partition (revoked). Scopes still open no longer count. */
  drop(topic: string, partition: number): void {
    const flow = this.flows.get(`${topic}:${partition}`)
    if (!flow) return
    this.total -= flow.open
    this.flows.delete(`${topic}:${partition}`)
    this.wakeIfIdle()
  }

  /**
   * Forgets everything in flight (after a rewind: those records will be handed over again); paused
   * partitions are resumed.
   */
  reset(): void {
    this.generation++
    for (const flow of this.flows.values()) {
      if (flow.paused) this.control.resume(flow.topic, flow.partition)
    }
    this.flows.clear()
    this.total = 0
    this.wakeIfIdle()
  }

  /** Resolves once no record is in flight. */
  whenIdle(): Promise<void> {
    if (this.total === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private settle(flow: PartitionFlow): void {
    flow.open--
    flow.advance()
    this.total--
    if (flow.paused && flow.open <= this.resumeAt) {
      flow.paused = false
      this.control.resume(flow.topic, flow.partition)
    }
    this.wakeIfIdle()
  }

  private wakeIfIdle(): void {
    if (this.total !== 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}

/**
 * Sequence numbers of an idempotent producer, per partition.
 *
 * Each batch takes the next `count` sequence numbers of its partition when it is first sent and keeps
 * them (and its producer id and epoch) through every retry, so the broker recognises a retry of a batch
 * it already appended and answers with the original offsets instead of appending it twice. The broker
 * also refuses a batch whose first sequence is not the one after the last it appended
 * (OUT_OF_ORDER_SEQUENCE_NUMBER), so batches cannot overtake each other.
 *
 * The rules the sender follows with this state:
 * - a new batch of a partition is sent only while fewer than five of its batches were sent since the
 *   oldest one still unacknowledged (the broker remembers a producer's last five batches per
 *   partition, so a retry further back could not be recognised as a duplicate);
 * - the first batch of a partition under an epoch is sent alone: a broker accepts any first sequence
 *   from a producer it knows nothing of (KIP-360), so a second batch overtaking a failed first one
 *   would be appended ahead of it;
 * - a batch that must be sent again goes back in front of the partition's later batches and is sent
 *   alone (nothing else of the partition in flight), so retries go out in their original order;
 * - a batch of several records refused with MESSAGE_TOO_LARGE was refused before the broker looked at
 *   its sequence, so it is split (as the Java client does) into smaller batches that divide its
 *   sequence range between them under the same producer id and epoch: they take its place in the
 *   queue and in the window and go out one at a time, and the partition's later batches, which keep
 *   their sequences, follow them (if already in flight they are refused with
 *   OUT_OF_ORDER_SEQUENCE_NUMBER while the parts are outstanding, and retried as they are). Nothing
 *   needs resetting; a single record still too large fails like any batch refused for good (below);
 * - OUT_OF_ORDER_SEQUENCE_NUMBER (or UNKNOWN_PRODUCER_ID) for a batch whose predecessor is still
 *   outstanding is only a consequence of that predecessor's failure: it is retried as it is;
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch lying wholly before sequences the broker already
 *   acknowledged cannot be written in order any more: it fails (and the partition is unresolved);
 * - for a batch with nothing outstanding before it, or after a batch holding sequence numbers failed
 *   for good (its sequence range may now be a gap), the partition is `unresolved`: its batches that the
 *   broker refused lose their sequence numbers, nothing new is sent to it, and once nothing of the
 *   partition is in flight the gap is checked: if every sequence handed out was acknowledged there is
 *   none; otherwise the producer bumps its epoch (KIP-360) once no batch anywhere holds an old sequence,
 *   and every partition starts again from sequence 0 with the new epoch.
 */

/** The largest sequence number; the next one is 0. */
const MAX_SEQUENCE = 0x7fffffff

/** `sequence + n`, wrapping past 2^31 - 1 to 0 as Kafka's sequences do. */
export function addSequence(sequence: number, n: number): number {
  return sequence > MAX_SEQUENCE - n ? n - (MAX_SEQUENCE - sequence) - 1 : sequence + n
}

/** What the window of sent batches needs to know of a batch. */
export interface WindowEntry {
  readonly done: boolean
}

/** How many batches of a partition may be outstanding from the oldest unacknowledged one. */
export const MAX_BATCHES_OUTSTANDING = 5

/** One partition's sequence numbers under the producer's current id and epoch. */
export class PartitionSequences {
  /** Batches given sequences, in order, from the oldest not yet done. */
  private readonly window: WindowEntry[] = []

  /** The first sequence number of the next batch sent for the first time. */
  next = 0
  /** The last sequence number the broker acknowledged; -1 before the first acknowledgement. */
  lastAcked = -1
  /** Whether the sequences may have a gap the broker will refuse (see the module comment). */
  unresolved = false

  /** Takes `count` sequence numbers for a new batch and returns the first. */
  take(count: number, batch: WindowEntry): number {
    const first = this.next
    this.next = addSequence(this.next, count)
    this.window.push(batch)
    return first
  }

  /** Gives back the sequences just taken by `batch` (it could not be sent). */
  untake(first: number, batch: WindowEntry): void {
    this.next = first
    const at = this.window.lastIndexOf(batch)
    if (at >= 0) this.window.splice(at, 1)
  }

  /**
   * Puts the batches a refused batch was split into (MESSAGE_TOO_LARGE) in its place: they share its
   * sequence range, and count as outstanding until each is done.
   */
  replace(batch: WindowEntry, parts: readonly WindowEntry[]): void {
    const at = this.window.indexOf(batch)
    if (at >= 0) this.window.splice(at, 1, ...parts)
  }

  /** Forgets a batch that lost its sequence numbers (it waits for a reset). */
  drop(batch: WindowEntry): void {
    const at = this.window.indexOf(batch)
    if (at >= 0) this.window.splice(at, 1)
  }

  /**
   * Whether another new batch may be sent: fewer than five outstanding since the oldest unfinished
   * one, and none at all until the broker acknowledged one under this epoch.
   */
  get windowOpen(): boolean {
    while (this.window.length > 0 && this.window[0]!.done) this.window.shift()
    return this.window.length < (this.lastAcked < 0 ? 1 : MAX_BATCHES_OUTSTANDING)
  }

  /** Records an acknowledged batch ending at `lastSequence`. Acknowledgements can arrive out of order after a leader change. */
  acknowledged(baseSequence: number, lastSequence: number): void {
    if (this.lastAcked < 0 || isAfter(baseSequence, this.lastAcked)) this.lastAcked = lastSequence
  }

  /** The sequence the broker expects next, as far as acknowledgements tell. */
  get expected(): number {
    return this.lastAcked < 0 ? 0 : addSequence(this.lastAcked, 1)
  }

  /** True when every sequence handed out was acknowledged: no gap, nothing outstanding. */
  get settled(): boolean {
    return this.expected === this.next
  }

  /** Whether a batch ending at `lastSequence` lies wholly before what the broker acknowledged. */
  isAcknowledged(lastSequence: number): boolean {
    return this.lastAcked >= 0 && !isAfter(lastSequence, this.lastAcked)
  }

  /** Starts again from 0 (a new producer id or epoch). */
  reset(): void {
    this.window.length = 0
    this.next = 0
    this.lastAcked = -1
    this.unresolved = false
  }
}

/** Whether sequence `a` comes after `b`, allowing for wrap-around. */
function isAfter(a: number, b: number): boolean {
  const d = a - b
  return d > 0 ? d < 0x40000000 : d < -0x40000000
}

/**
 * What to do with a batch the broker refused with OUT_OF_ORDER_SEQUENCE_NUMBER or
 * UNKNOWN_PRODUCER_ID: `'retry'` it unchanged when a batch before it is still outstanding (in flight or
 * waiting to be retried), else `'reset'` — the broker's record of our sequences differs from ours.
 */
export function sequenceErrorVerdict(sequences: PartitionSequences, baseSequence: number): 'retry' | 'reset' {
  if (sequences.unresolved) return 'reset'
  return baseSequence === sequences.expected ? 'reset' : 'retry'
}

/** What becomes of one request's turn to be answered. */
export type Outcome =
  /** Write this response frame. */
  | { kind: 'send'; frame: Buffer }
  /** Answer nothing (acks=0, a dropped response); later responses go out. */
  | { kind: 'skip' }
  /** Close the connection here, after the earlier responses; `violation` marks a client's protocol error. */
  | { kind: 'close'; reason: string; violation?: boolean }

interface Slot {
  outcome: Outcome | undefined
}

/**
 * Keeps responses in request order. Each request reserves a slot as it arrives; requests may finish
 * in any order (a long-polling fetch, then a metadata request), but outcomes leave only from the
 * head, so a client always reads responses in the order it sent requests.
 *
 * @example
 * ```ts
 * const queue = new ResponseQueue(() => { for (const o of queue.takeReady()) write(o) })
 * const settle = queue.reserve()
 * settle({ kind: 'send', frame })
 * ```
 */
export class ResponseQueue {
  private readonly slots: Slot[] = []

  /** `onSettled` runs whenever a slot settles; call {@link takeReady} from it. */
  constructor(private readonly onSettled: () => void) {}

  /** Requests whose turn has not come yet. */
  get length(): number {
    return this.slots.length
  }

  /** Reserves the next slot; the returned function settles it (only the first call counts). */
  reserve(): (outcome: Outcome) => void {
    const slot: Slot = { outcome: undefined }
    this.slots.push(slot)
    return (outcome) => {
      if (slot.outcome) return
      slot.outcome = outcome
      this.onSettled()
    }
  }

  /** Removes and returns the settled outcomes at the head, stopping after a `close`. */
  takeReady(): Outcome[] {
    const ready: Outcome[] = []
    while (this.slots.length > 0 && this.slots[0]!.outcome) {
      const outcome = this.slots.shift()!.outcome!
      ready.push(outcome)
      if (outcome.kind === 'close') break
    }
    return ready
  }

  /** Forgets every slot (the connection is gone). */
  clear(): void {
    this.slots.length = 0
  }
}

import { ProducerTimeoutError } from '../errors.js'

interface Waiter {
  bytes: number
  resolve(): void
  reject(error: Error): void
  timer: NodeJS.Timeout | undefined
}

/**
 * The `bufferMemory` budget: bytes of records accepted but not yet acknowledged. Reservations are
 * served strictly in the order they were asked for, so a large record is not starved by small ones,
 * and a reservation that cannot be served within its time limit fails with BUFFER_EXHAUSTED.
 */
export class BufferMemory {
  private free: number
  private readonly waiters: Waiter[] = []

  constructor(readonly total: number) {
    this.free = total
  }

  /** Bytes not reserved. */
  get available(): number {
    return this.free
  }

  /** Whether a reservation is waiting: the sender then sends every batch at once, without lingering. */
  get exhausted(): boolean {
    return this.waiters.length > 0
  }

  /** Reserves at once if nobody is waiting and there is room; false otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || bytes > this.free) return false
    this.free -= bytes
    return true
  }

  /** Reserves, waiting in line for up to `timeoutMs`. */
  reserve(bytes: number, timeoutMs: number): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined }
      waiter.timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(
          new ProducerTimeoutError(
            `Could not reserve ${bytes} bytes of bufferMemory (${this.total} bytes) within ${timeoutMs} ms (maxBlockMs): records are accepted faster than the brokers acknowledge them`,
            'BUFFER_EXHAUSTED',
          ),
        )
        this.serve()
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  release(bytes: number): void {
    this.free += bytes
    if (this.waiters.length > 0) this.serve()
  }

  /** Fails every waiting reservation (the producer is closing). */
  rejectAll(error: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer)
      w.reject(error)
    }
  }

  private serve(): void {
    while (this.waiters.length > 0 && this.waiters[0]!.bytes <= this.free) {
      const w = this.waiters.shift()!
      clearTimeout(w.timer)
      this.free -= w.bytes
      w.resolve()
    }
  }
}

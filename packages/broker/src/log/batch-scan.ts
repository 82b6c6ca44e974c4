import { RECORD_BATCH_HEADER_SIZE } from '@tributary/protocol'
import { summarize, type BatchSummary } from './batch.js'
import type { StoredFile } from './storage.js'

const WINDOW = 64 * 1024

/**
 * Walks the batch headers of a log file from `from` up to `to` (default: the end), reading in 64 KiB
 * windows so consecutive small batches cost one read. Stops at the end, at an incomplete header or
 * at a batch whose length is impossible; `stoppedAt` then says where the walk ended.
 *
 * The log was validated when written or recovered, so only the header is looked at here.
 *
 * @example
 * ```ts
 * const scan = new BatchScanner(log, position)
 * for (let b = scan.next(); b; b = scan.next()) if (b.lastOffset >= target) return b
 * ```
 */
export class BatchScanner {
  private readonly window = Buffer.allocUnsafe(WINDOW)
  private windowStart = 0
  private windowLength = 0
  private pos: number
  private readonly end: number

  constructor(
    private readonly file: StoredFile,
    from: number,
    to = file.size(),
  ) {
    this.pos = from
    this.end = Math.min(to, file.size())
  }

  /** Where the next batch would start; after the walk, where it ended. */
  get stoppedAt(): number {
    return this.pos
  }

  /** The next batch, or undefined at the end. */
  next(): BatchSummary | undefined {
    if (this.end - this.pos < RECORD_BATCH_HEADER_SIZE) return undefined
    if (this.pos < this.windowStart || this.pos + RECORD_BATCH_HEADER_SIZE > this.windowStart + this.windowLength) {
      this.windowStart = this.pos
      this.windowLength = this.file.readInto(this.window, 0, Math.min(WINDOW, this.end - this.pos), this.pos)
      if (this.windowLength < RECORD_BATCH_HEADER_SIZE) return undefined
    }
    const batch = summarize(this.window, this.pos - this.windowStart, this.pos)
    if (batch.size < RECORD_BATCH_HEADER_SIZE || this.pos + batch.size > this.end) return undefined
    this.pos += batch.size
    return batch
  }
}

import { DecodeError } from '../errors/kafka-error.js'

/** The default largest frame accepted: Kafka's `socket.request.max.bytes` default (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 104_857_600

/**
 * Cuts a byte stream (a socket's `data` events) into Kafka frames: each frame is an int32 size
 * followed by that many bytes. Chunks may split a frame anywhere, or hold many frames.
 *
 * A size above `maxFrameSize` or below zero throws {@link DecodeError} before any buffer of that
 * size is allocated; the caller should then close the connection, as the stream cannot be resynchronised.
 *
 * @example
 * ```ts
 * const splitter = new FrameSplitter()
 * socket.on('data', (chunk) => {
 *   for (const frame of splitter.push(chunk)) handle(frame) // frame excludes the size prefix
 * })
 * ```
 */
export class FrameSplitter {
  private chunks: Buffer[] = []
  private buffered = 0
  private expected = -1

  constructor(readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered + (this.expected < 0 ? 0 : 4)
  }

  /** Adds a chunk and returns every frame it completes (possibly none). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = []
    if (this.buffered === 0 && this.expected < 0) {
      // Fast path: frames that lie wholly inside this chunk are returned as views, without copying.
      let at = 0
      while (chunk.length - at >= 4) {
        const size = this.checkedSize(chunk.readInt32BE(at))
        if (chunk.length - at - 4 < size) break
        frames.push(chunk.subarray(at + 4, at + 4 + size))
        at += 4 + size
      }
      if (at === chunk.length) return frames
      chunk = chunk.subarray(at)
    }
    this.chunks.push(chunk)
    this.buffered += chunk.length
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break
        this.expected = this.checkedSize(this.take(4).readInt32BE(0))
      }
      if (this.buffered < this.expected) break
      frames.push(this.take(this.expected))
      this.expected = -1
    }
    return frames
  }

  private checkedSize(size: number): number {
    if (size < 0) throw new DecodeError(`Invalid frame: negative size ${size}`)
    if (size > this.maxFrameSize) {
      throw new DecodeError(`Frame of ${size} bytes exceeds the maximum of ${this.maxFrameSize} bytes; closing the connection`)
    }
    return size
  }

  /** Removes and returns the first `n` buffered bytes (n ≤ buffered). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    const first = this.chunks[0]!
    let out: Buffer
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
    } else {
      out = Buffer.allocUnsafe(n)
      let filled = 0
      while (filled < n) {
        const head = this.chunks[0]!
        const part = Math.min(head.length, n - filled)
        head.copy(out, filled, 0, part)
        filled += part
        if (part === head.length) this.chunks.shift()
        else this.chunks[0] = head.subarray(part)
      }
    }
    this.buffered -= n
    return out
  }
}

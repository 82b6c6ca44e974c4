/**
 * A first-in first-out queue with O(1) `shift`, for queues that may hold very many entries (records
 * waiting for buffer memory): `Array.prototype.shift` copies large arrays on every call.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  /** The first entry, if any. */
  peek(): T | undefined {
    return this.items[this.head]
  }

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Removes and returns every entry. */
  drain(): T[] {
    const all = this.items.slice(this.head) as T[]
    this.items = []
    this.head = 0
    return all
  }
}

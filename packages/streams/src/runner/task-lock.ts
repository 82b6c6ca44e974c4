/**
 * Runs asynchronous sections one at a time, in call order: feeding a batch, committing, rewinding and
 * handling a rebalance never interleave.
 */
export class TaskLock {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(section: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(section)
    this.tail = result.catch(() => {})
    return result
  }
}

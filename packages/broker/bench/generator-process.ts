import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Job, JobResult, Measurement } from './messages.js'

const SCRIPT = fileURLToPath(new URL('./load-generator.ts', import.meta.url))
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The load generator's process, running one job at a time. */
export interface LoadGenerator {
  /** Runs a job and resolves with its measurement; rejects with the generator's error or its exit. */
  run(job: Job): Promise<Measurement>
  /** Closes the IPC channel; the generator exits. */
  close(): void
}

/**
 * Forks `load-generator.ts` (`node --conditions=source --import tsx`, so it runs from source like
 * the bench) with an IPC channel.
 *
 * @example
 * ```ts
 * const generator = forkLoadGenerator()
 * const measurement = await generator.run({ kind: 'fetch', port, topic, partitions: 4, recordSize: 100, maxBytes: 52428800, partitionMaxBytes: 1048576 })
 * generator.close()
 * ```
 */
export function forkLoadGenerator(): LoadGenerator {
  const child = fork(SCRIPT, [], { cwd: PACKAGE_ROOT, execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the load generator exited (code ${code}, signal ${signal})`))))
  exited.catch(() => {})
  return {
    run(job) {
      const answer = new Promise<Measurement>((resolve, reject) => {
        child.once('message', (result: JobResult) => (result.ok ? resolve(result.measurement) : reject(new Error(`load generator: ${result.error}`))))
      })
      child.send(job)
      return Promise.race([answer, exited])
    },
    close() {
      if (child.connected) child.disconnect()
    },
  }
}

import { chmodSync } from 'node:fs'
import { join } from 'node:path'
import { KafkaError } from '@tributary/protocol'
import type { LogStorage } from '../log/storage.js'

/**
 * A small JSON document in the data directory (ACLs, SCRAM credentials), read once at start-up and
 * replaced atomically on every change, as the topic metadata is. On disk it is readable by its
 * owner only, as it holds security state.
 */
export class JsonFile<T> {
  readonly path: string

  constructor(
    private readonly storage: LogStorage,
    dataDir: string,
    name: string,
  ) {
    this.path = join(dataDir, name)
  }

  /**
   * The parsed document, or undefined when the file does not exist. A file that exists but cannot
   * be read stops the start-up rather than silently losing what it held.
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` naming the file and what is wrong with it.
   */
  read(parse: (data: unknown) => T): T | undefined {
    const bytes = this.storage.readAll(this.path)
    if (!bytes) return undefined
    try {
      return parse(JSON.parse(bytes.toString('utf8')))
    } catch (err) {
      throw new KafkaError(`The file ${this.path} cannot be read (${(err as Error).message}); fix or remove it to start`, { code: 'KAFKA_STORAGE_ERROR', cause: err })
    }
  }

  /**
   * Replaces the file atomically (a crash leaves the old or the new content).
   *
   * @throws KafkaError `KAFKA_STORAGE_ERROR` when it cannot be written.
   */
  write(data: unknown): void {
    try {
      this.storage.writeAtomic(this.path, Buffer.from(JSON.stringify(data, null, 2) + '\n', 'utf8'))
      if (this.storage.kind === 'file') chmodSync(this.path, 0o600)
    } catch (err) {
      throw new KafkaError(`Writing ${this.path} failed: ${(err as Error).message}`, { code: 'KAFKA_STORAGE_ERROR', retriable: true, cause: err })
    }
  }
}

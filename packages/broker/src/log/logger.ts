/**
 * Where the storage layer reports what it did on its own: recovery truncations, deleted segments,
 * failures in background work. Each call is one readable line.
 */
export interface StorageLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string, err?: unknown): void
}

/** Drops info lines and prints warnings and errors to stderr. */
export const defaultStorageLogger: StorageLogger = {
  info() {},
  warn(message) {
    console.warn(message)
  },
  error(message, err) {
    console.error(err === undefined ? message : `${message}: ${err instanceof Error ? err.message : String(err)}`)
  },
}

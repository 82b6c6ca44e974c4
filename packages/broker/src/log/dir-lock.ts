import * as fs from 'node:fs'
import { join, resolve } from 'node:path'
import { logError } from './errors.js'

/** The lock file in a data directory, named as Kafka's. */
export const LOCK_FILE = '.lock'

/** Data directories locked by this process. */
const lockedHere = new Set<string>()

/**
 * Claims a data directory so two brokers never write the same logs: a `.lock` file holding the
 * owner's process id. A lock left by a process that no longer runs is taken over.
 *
 * @throws KafkaError `KAFKA_STORAGE_ERROR` when another live process, or another open broker in
 * this process, holds the directory.
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir)
  const path = join(dir, LOCK_FILE)
  if (lockedHere.has(dir)) throw logError('KAFKA_STORAGE_ERROR', `The data directory ${dir} is already in use by another broker in this process`)
  const owner = Number(readOrEmpty(path).trim())
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw logError('KAFKA_STORAGE_ERROR', `The data directory ${dir} is in use by process ${owner}; stop it, or delete ${path} if that process is not a broker`)
  }
  fs.writeFileSync(path, `${process.pid}\n`)
  lockedHere.add(dir)
  let released = false
  return () => {
    if (released) return
    released = true
    lockedHere.delete(dir)
    try {
      if (readOrEmpty(path).trim() === String(process.pid)) fs.rmSync(path, { force: true })
    } catch {
      // The directory may be gone already (deleted by a test); nothing left to release.
    }
  }
}

function readOrEmpty(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker, type Broker, type BrokerLogger, type BrokerOptions } from '@tributary/broker'

/** A logger that keeps every line, for tests that assert what the broker logged. */
export interface CapturedLog {
  readonly logger: BrokerLogger
  /** `LEVEL message` lines, oldest first. */
  readonly lines: string[]
  /** The lines containing `text` (or matching it). */
  matching(text: string | RegExp): string[]
}

/**
 * A {@link BrokerLogger} that records lines instead of printing them. Set `TRIBUTARY_TEST_LOG=1` to
 * also print them while debugging a test.
 */
export function captureLog(): CapturedLog {
  const lines: string[] = []
  const echo = process.env.TRIBUTARY_TEST_LOG === '1'
  const add = (level: string, message: string, err?: unknown) => {
    const line = `${level} ${message}${err === undefined ? '' : `: ${err instanceof Error ? err.message : String(err)}`}`
    lines.push(line)
    if (echo) process.stderr.write(`${line}\n`)
  }
  return {
    lines,
    logger: {
      debug: (m) => add('DEBUG', m),
      info: (m) => add('INFO', m),
      warn: (m) => add('WARN', m),
      error: (m, err) => add('ERROR', m, err),
    },
    matching: (text) => lines.filter((l) => (typeof text === 'string' ? l.includes(text) : text.test(l))),
  }
}

/** A broker started for a test, with its captured log. */
export interface TestBroker {
  broker: Broker
  log: CapturedLog
}

/**
 * Starts a broker for a test: any free port on loopback, memory storage unless `dataDir` or
 * `storage` says otherwise, and a captured log.
 *
 * @example
 * ```ts
 * const { broker, log } = await startTestBroker({ autoCreateTopics: false })
 * afterAll(() => broker.close())
 * ```
 */
export async function startTestBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const log = captureLog()
  const storage = options.storage ?? (options.dataDir ? 'file' : 'memory')
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logger: log.logger, ...options, storage })
  return { broker, log }
}

/** A fresh temporary directory and the function that removes it. */
export function tempDir(prefix = 'tributary-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

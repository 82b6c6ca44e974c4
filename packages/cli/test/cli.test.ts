import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ErrorCode } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { apiVersions, listeningAddress, until } from './helpers.js'

const LAUNCHER = fileURLToPath(new URL('../bin/tributary.js', import.meta.url))

/** Runs `bin/tributary.js` as a user would, with output captured. */
function run(args: string[]) {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  const output = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output.stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output.stderr += text))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { child, output, exited }
}

/** Undone in reverse order after each test: stop processes before removing their directories. */
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

describe('bin/tributary.js', () => {
  it('starts a broker on port 0, prints the real address, serves it, and exits 0 on SIGTERM after a clean shutdown', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-cli-'))
    cleanups.push(() => rmSync(root, { recursive: true, force: true }))
    const dataDir = join(root, 'data')
    const broker = run(['broker', '--port', '0', '--data-dir', dataDir])
    cleanups.push(() => broker.child.kill('SIGKILL'))
    let ended = false
    void broker.exited.then(() => (ended = true))
    await until(() => listeningAddress(broker.output.stdout) !== undefined || ended, 30_000, 'the listening line')
    const address = listeningAddress(broker.output.stdout)
    expect(address, broker.output.stderr).toBeDefined()
    expect(broker.output.stdout).toBe(`Tributary broker listening on ${address!.host}:${address!.port} (data: ${dataDir})\n`)
    expect(address!.port).toBeGreaterThan(0)

    const versions = await apiVersions(address!.host, address!.port)
    expect(versions.errorCode).toBe(ErrorCode.NONE)
    expect(versions.apiKeys.map((k) => k.apiKey)).toEqual(expect.arrayContaining([0, 1, 3, 18]))

    broker.child.kill('SIGTERM')
    expect(await broker.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(true)
    // One readable line per event, the shutdown announced first and confirmed last.
    const lines = broker.output.stderr.trimEnd().split('\n')
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (DEBUG|INFO|WARN|ERROR): \S/)
    expect(lines.findIndex((l) => l.endsWith('INFO: SIGTERM received, shutting down'))).toBeGreaterThan(0)
    expect(lines.at(-1)).toContain(`INFO: broker stopped cleanly (${join(dataDir, '.kafka_cleanshutdown')} written)`)
  }, 40_000)

  it('exits non-zero with a message naming a bad option', async () => {
    const bad = run(['broker', '--port', 'ninety'])
    expect((await bad.exited).code).toBe(1)
    expect(bad.output.stderr).toMatch(/option '-p, --port <port>' argument 'ninety' is invalid/)
    expect(bad.output.stdout).toBe('')
  }, 30_000)
})

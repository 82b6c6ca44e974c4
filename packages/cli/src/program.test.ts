import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { apiVersions, fakeContext, listeningAddress, until } from '../test/helpers.js'
import { main } from './main.js'
import { VERSION } from './program.js'

const argv = (...args: string[]) => ['node', 'tributary', ...args]
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('tributary (in-process)', () => {
  it('reports the version of the package', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(VERSION).toBe(manifest.version)
    const context = fakeContext()
    expect(await main(argv('--version'), context)).toBe(0)
    expect(context.out.join('')).toBe(`${manifest.version}\n`)
  })

  it('lists the broker command in its help', async () => {
    const context = fakeContext()
    expect(await main(argv('--help'), context)).toBe(0)
    expect(context.out.join('')).toMatch(/broker \[options\]/)
    expect(await main(argv('broker', '--help'), context)).toBe(0)
    expect(context.out.join('')).toContain('--no-auto-create-topics')
  })

  it.each([
    [['--port', 'abc'], /--port <port>.*'abc' is invalid.*0 to 65535/],
    [['--port', '70000'], /--port <port>.*'70000' is invalid/],
    [['--partitions', '0'], /--partitions <count>.*'0' is invalid.*at least 1/],
    [['--log-level', 'loud'], /--log-level <level>.*'loud' is invalid.*trace, debug, info/],
    [['--config', 'log.retention.ms'], /--config <key=value>.*'log.retention.ms' is invalid.*key=value/],
    [['--memory', '--data-dir', '/tmp/x'], /--memory.*cannot be used with.*--data-dir/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('rejects %j with a message naming the option', async (args, message) => {
    const context = fakeContext()
    const code = await main(argv('broker', ...args), context)
    expect(code).not.toBe(0)
    expect(context.err.join('')).toMatch(message)
    expect(context.out.join('')).toBe('')
  })

  it.each([
    ['no.such.config=1', /no\.such\.config/],
    ['log.retention.ms=soon', /"soon" for config retention\.ms/],
  ])('refuses --config %s before starting, naming the key', async (entry, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-'))
    dirs.push(dataDir)
    const context = fakeContext()
    const code = await main(argv('broker', '--port', '0', '--data-dir', join(dataDir, 'data'), '--config', entry), context)
    expect(code).not.toBe(0)
    expect(context.err.join('')).toMatch(message)
    expect(context.out.join('')).toBe('')
    expect(existsSync(join(dataDir, 'data'))).toBe(false)
  })

  it('runs a broker until SIGTERM, then closes it cleanly and returns 0', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-cli-'))
    dirs.push(root)
    const dataDir = join(root, 'data')
    const context = fakeContext()
    const exit = main(argv('broker', '--port', '0', '--data-dir', dataDir, '--partitions', '2', '--config', 'log.retention.ms=60000', '--log-level', 'debug'), context)
    await until(() => listeningAddress(context.out.join('')) !== undefined || context.err.length > 0, 20_000, 'the listening line')
    const address = listeningAddress(context.out.join(''))
    expect(address, context.err.join('')).toBeDefined()
    expect(address!.port).toBeGreaterThan(0)
    expect(context.out.join('')).toContain(`(data: ${dataDir})`)
    const versions = await apiVersions(address!.host, address!.port)
    expect(versions.errorCode).toBe(ErrorCode.NONE)
    context.signals.emit('SIGTERM', 'SIGTERM')
    expect(await exit).toBe(0)
    expect(existsSync(join(dataDir, '.kafka_cleanshutdown'))).toBe(true)
    expect(context.err.join('')).toMatch(/INFO: SIGTERM received, shutting down\n.*INFO: broker stopped cleanly \(.*\.kafka_cleanshutdown written\)\n$/s)
    expect(context.signals.listenerCount('SIGTERM') + context.signals.listenerCount('SIGINT')).toBe(0)
    expect(context.exits).toEqual([])
  })

  it('exits at once with code 1 when a second signal arrives during shutdown', async () => {
    const context = fakeContext()
    const write = context.stderr.write
    context.stderr.write = (text: string) => {
      // Right after the first signal is acknowledged, while the broker is closing.
      if (text.includes('SIGTERM received')) queueMicrotask(() => context.signals.emit('SIGINT', 'SIGINT'))
      return write(text)
    }
    const exit = main(argv('broker', '--port', '0', '--memory'), context)
    await until(() => context.out.length > 0, 20_000, 'the listening line')
    context.signals.emit('SIGTERM', 'SIGTERM')
    await exit
    expect(context.exits).toEqual([1])
    expect(context.err.join('')).toContain('ERROR: SIGINT received again, exiting without a clean shutdown')
  })

  it('keeps everything in memory with --memory', async () => {
    const context = fakeContext()
    const exit = main(argv('broker', '--port', '0', '--memory', '--log-level', 'warn'), context)
    await until(() => context.out.length > 0 || context.err.length > 0, 20_000, 'the listening line')
    expect(context.out.join('')).toMatch(/listening on \S+:\d+ \(in memory\)/)
    context.signals.emit('SIGINT', 'SIGINT')
    expect(await exit).toBe(0)
    expect(context.err.join('')).toBe('')
  })

  it('reports a port in use and exits 1', async () => {
    const first = fakeContext()
    const running = main(argv('broker', '--port', '0', '--memory'), first)
    await until(() => first.out.length > 0, 20_000, 'the first broker')
    const { port } = listeningAddress(first.out.join(''))!
    const second = fakeContext()
    expect(await main(argv('broker', '--port', String(port), '--memory'), second)).toBe(1)
    expect(second.err.join('')).toMatch(/^tributary: .*EADDRINUSE|address already in use/m)
    expect(second.signals.listenerCount('SIGTERM')).toBe(0)
    first.signals.emit('SIGTERM', 'SIGTERM')
    expect(await running).toBe(0)
  })
})

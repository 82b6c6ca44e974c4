import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { startBroker, type Broker } from '@tributary/broker'
import { Producer } from '@tributary/producer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../src/index.js'
import { fakeContext, until } from './helpers.js'

const LAUNCHER = fileURLToPath(new URL('../bin/tributary.js', import.meta.url))

describe('tributary topics, produce, consume and groups', () => {
  let broker: Broker
  let server: string[]
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-data-'))

  /** Runs `tributary <args>` in-process, with `stdin` as its input; resolves with the exit code and output. */
  async function tributary(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
    const ctx = { ...fakeContext(), ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}) }
    const code = await main(['node', 'tributary', ...args, ...server], ctx)
    return { code, out: ctx.out.join(''), err: ctx.err.join('') }
  }

  beforeAll(async () => {
    broker = await startBroker({ port: 0, storage: 'memory', configs: { 'group.initial.rebalance.delay.ms': '0' }, logger: { info() {}, warn() {}, error() {} } })
    server = ['--bootstrap-server', `127.0.0.1:${broker.port}`]
  })
  afterAll(async () => {
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('topics create, list, describe, alter and delete', async () => {
    expect(await tributary(['topics', 'create', 'orders', '--partitions', '2', '--replication-factor', '1', '--config', 'retention.ms=60000'])).toEqual({
      code: 0,
      out: 'created topic orders (2 partitions, replication factor 1)\n',
      err: '',
    })
    expect((await tributary(['topics', 'list'])).out.split('\n')).toContain('orders')
    const described = await tributary(['topics', 'describe', 'orders'])
    expect(described.code).toBe(0)
    expect(described.out).toMatch(/^Topic: orders\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1\n\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+\n\tPartition: 1\t/)
    expect(described.out).toContain('Configs:\n\tretention.ms=60000\n')

    const altered = await tributary(['topics', 'alter', 'orders', '--partitions', '3', '--config', 'cleanup.policy=compact', '--delete-config', 'retention.ms'])
    expect(altered).toEqual({ code: 0, out: 'topic orders: now 3 partitions\ntopic orders: cleanup.policy=compact\ntopic orders: retention.ms back to its default\n', err: '' })
    const after = (await tributary(['topics', 'describe', 'orders'])).out
    expect(after).toContain('PartitionCount: 3')
    expect(after).toContain('\tcleanup.policy=compact\n')
    expect(after).not.toContain('retention.ms')

    expect(await tributary(['topics', 'delete', 'orders'])).toEqual({ code: 0, out: 'deleted topic orders\n', err: '' })
    expect((await tributary(['topics', 'list'])).out.split('\n')).not.toContain('orders')
  })

  it('topics errors: unknown topic, bad option, nothing to alter', async () => {
    const missing = await tributary(['topics', 'describe', 'nowhere'])
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/^tributary: describing topic nowhere failed: .*\n$/)
    expect((await tributary(['topics', 'delete', 'nowhere'])).code).toBe(1)
    const bad = await tributary(['topics', 'create', 'x', '--partitions', 'many'])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/option '--partitions <count>' argument 'many' is invalid/)
    expect(await tributary(['topics', 'alter', 'x'])).toMatchObject({ code: 1, err: 'tributary: topics alter needs --partitions, --config or --delete-config.\n' })
  })

  it('produce keys, headers and explicit partitions; consume prints the chosen fields or JSON', async () => {
    await tributary(['topics', 'create', 'events', '--partitions', '2'])
    const produced = await tributary(['produce', 'events', '--key-separator', ':', '--header', 'source=cli', '--header', 'v=1', '--partition', '1', '--acks', '1', '--compression', 'gzip'], 'k1:one\nk2:two\n\nk3:three\n')
    expect(produced).toEqual({ code: 0, out: '', err: 'produced 3 of 3 records to events (partitions 1)\n' })

    const text = await tributary(['consume', 'events', '--from-beginning', '--max-messages', '3', '--print', 'key,partition,offset,headers', '--separator', '|'])
    expect(text).toEqual({ code: 0, out: 'k1|1|0|source=cli,v=1|one\nk2|1|1|source=cli,v=1|two\nk3|1|2|source=cli,v=1|three\n', err: 'consumed 3 records\n' })

    const json = await tributary(['consume', 'events', '--partition', '1', '--offset', '2', '--max-messages', '1', '--output', 'json'])
    expect(json.code).toBe(0)
    const record = JSON.parse(json.out) as Record<string, unknown>
    expect(record).toMatchObject({ topic: 'events', partition: 1, offset: '2', key: 'k3', value: 'three', headers: [{ key: 'source', value: 'cli' }, { key: 'v', value: '1' }] })
    expect(typeof record['timestamp']).toBe('number')
  })

  it('json and msgpack value formats, from --file', async () => {
    await tributary(['topics', 'create', 'docs', '--partitions', '1'])
    const file = join(dir, 'docs.jsonl')
    writeFileSync(file, '{"id":1,"tags":["a"]}\n{"id":2}\n')
    expect((await tributary(['produce', 'docs', '--file', file, '--format', 'msgpack'])).code).toBe(0)
    const decoded = await tributary(['consume', 'docs', '--from-beginning', '--max-messages', '2', '--format', 'msgpack'])
    expect(decoded.out).toBe('{"id":1,"tags":["a"]}\n{"id":2}\n')
    const raw = await tributary(['consume', 'docs', '--from-beginning', '--max-messages', '1', '--format', 'json'])
    expect(raw).toMatchObject({ code: 1, err: expect.stringMatching(/the value of docs-0 at offset 0 is not JSON/) as unknown })

    const bad = await tributary(['produce', 'docs', '--format', 'json'], '{"ok":true}\nnot json\n')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^produced 1 of 1 records to docs \(partitions 0\)\ntributary: line 2: not JSON \(.*\)\n$/)
  })

  it('produce and consume errors: unknown topic, missing partition, bad options; --timeout-ms ends a quiet consume', async () => {
    expect(await tributary(['produce', 'ghost'], 'x\n')).toMatchObject({ code: 1, err: 'tributary: topic ghost does not exist\n' })
    expect(await tributary(['consume', 'ghost', '--max-messages', '1'])).toMatchObject({ code: 1, err: 'tributary: topic ghost does not exist\n' })
    expect(await tributary(['produce', 'events', '--partition', '7'], 'x\n')).toMatchObject({ code: 1, err: 'tributary: topic events has no partition 7 (it has 2)\n' })
    expect((await tributary(['produce', 'events', '--acks', '2'], 'x\n')).err).toMatch(/option '--acks <acks>' argument '2' is invalid. Allowed choices are 0, 1, all/)
    expect((await tributary(['produce', 'events', '--key-separator', ':'], 'no separator\n')).err).toMatch(/line 1 has no key separator ":"/)
    expect((await tributary(['consume', 'events', '--print', 'colour'])).err).toMatch(/Expected a comma-separated list of key, partition, offset, timestamp, headers/)
    expect(await tributary(['consume', 'events', '--offset', '3'])).toMatchObject({ code: 1, err: 'tributary: --offset needs --partition.\n' })
    expect((await tributary(['produce', 'events', '--file', join(dir, 'absent.txt')])).err).toMatch(/--file .*absent.txt cannot be read/)
    const quiet = await tributary(['consume', 'events', '--timeout-ms', '300'])
    expect(quiet).toEqual({ code: 0, out: '', err: 'consumed 0 records\n' })
  })

  it('groups list, describe with lag, reset-offsets (dry run, then --execute) and delete', async () => {
    await tributary(['topics', 'create', 'ledger', '--partitions', '1'])
    const producer = new Producer({ bootstrapServers: `127.0.0.1:${broker.port}` })
    await producer.sendBatch(['a', 'b', 'c', 'd'].map((value) => ({ topic: 'ledger', value })))
    await producer.close()

    expect((await tributary(['consume', 'ledger', '--group', 'auditors', '--from-beginning', '--max-messages', '3'])).out).toBe('a\nb\nc\n')
    expect((await tributary(['groups', 'list'])).out.split('\n')).toContain('auditors\tEmpty')
    const described = await tributary(['groups', 'describe', 'auditors'])
    expect(described.code).toBe(0)
    expect(described.out).toMatch(/^Group: auditors\tState: Empty\t/)
    expect(described.out).toContain('TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG\tMEMBER\nledger\t0\t3\t4\t1\t-\n')

    const dry = await tributary(['groups', 'reset-offsets', 'auditors', '--topic', 'ledger', '--to-earliest'])
    expect(dry).toEqual({ code: 0, out: 'TOPIC\tPARTITION\tCURRENT\tNEW\nledger\t0\t3\t0\n', err: 'dry run: nothing changed; add --execute to commit these offsets\n' })
    expect((await tributary(['groups', 'describe', 'auditors'])).out).toContain('ledger\t0\t3\t4\t1')
    const done = await tributary(['groups', 'reset-offsets', 'auditors', '--topic', 'ledger', '--to-offset', '1', '--execute'])
    expect(done).toMatchObject({ code: 0, out: 'TOPIC\tPARTITION\tCURRENT\tNEW\nledger\t0\t3\t1\n' })
    expect((await tributary(['consume', 'ledger', '--group', 'auditors', '--max-messages', '1'])).out).toBe('b\n')

    expect((await tributary(['groups', 'reset-offsets', 'auditors', '--topic', 'ledger'])).err).toMatch(/needs one of --to-earliest, --to-latest or --to-offset/)
    expect((await tributary(['groups', 'describe', 'strangers'])).err).toBe('tributary: describing group strangers failed: group strangers does not exist\n')
    expect(await tributary(['groups', 'delete', 'auditors'])).toEqual({ code: 0, out: 'deleted group auditors\n', err: '' })
    expect((await tributary(['groups', 'list'])).out.split('\n')).not.toContain('auditors\tEmpty')
    expect((await tributary(['groups', 'delete', 'auditors'])).code).toBe(1)
  })

  it('consume stops cleanly on SIGINT, committing what it printed with --group', async () => {
    const ctx = fakeContext()
    const running = main(['node', 'tributary', 'consume', 'events', '--group', 'watchers', '--from-beginning', ...server], ctx)
    await until(() => ctx.out.length >= 3, 10_000, 'three records')
    ctx.signals.emit('SIGINT', 'SIGINT')
    expect(await running).toBe(0)
    expect(ctx.err.join('')).toBe('consumed 3 records\n')
    expect((await tributary(['groups', 'describe', 'watchers'])).out).toContain('events\t1\t3\t3\t0\t-\n')
  })

  it('bin/tributary.js: produce then consume a keyed record with headers, through the launcher', async () => {
    await tributary(['topics', 'create', 'wire', '--partitions', '1'])
    const run = (args: string[], input?: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [LAUNCHER, ...args, ...server], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
        let stdout = ''
        let stderr = ''
        child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t))
        child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t))
        child.stdin.end(input ?? '')
        child.once('exit', (code) => resolve({ code, stdout, stderr }))
      })
    const produced = await run(['produce', 'wire', '--key-separator', '=', '--header', 'trace=t-1'], 'user-7=hello\n')
    expect(produced).toEqual({ code: 0, stdout: '', stderr: 'produced 1 of 1 records to wire (partitions 0)\n' })
    const consumed = await run(['consume', 'wire', '--from-beginning', '--max-messages', '1', '--print', 'key,headers'])
    expect(consumed).toEqual({ code: 0, stdout: 'user-7\ttrace=t-1\thello\n', stderr: 'consumed 1 records\n' })
  }, 30_000)
})

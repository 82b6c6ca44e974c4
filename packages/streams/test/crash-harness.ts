import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ConsumerRecord } from '@tributary/consumer'

const FIXTURE = fileURLToPath(new URL('./fixtures/totals-app.ts', import.meta.url))

/** Settings of one fixture instance. */
export interface InstanceConfig {
  bootstrapServers: string
  application: string
  instanceId: string
  input: string
  output: string
  guarantee: 'exactly-once' | 'at-least-once'
  commitIntervalMs: number
  sessionTimeoutMs: number
}

/** One running fixture process and the events it printed. */
export class Instance {
  readonly events: Record<string, unknown>[] = []
  readonly exited: Promise<number | null>
  private readonly child: ChildProcess
  private waiters: { test: (e: Record<string, unknown>) => boolean; resolve: () => void }[] = []

  constructor(config: InstanceConfig) {
    this.child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE, JSON.stringify(config)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let event: Record<string, unknown>
      try {
        event = JSON.parse(line) as Record<string, unknown>
      } catch {
        return
      }
      this.events.push(event)
      this.waiters = this.waiters.filter((w) => (w.test(event) ? (w.resolve(), false) : true))
    })
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  /** Resolves once an event matching `test` was printed (including earlier ones); rejects after `timeoutMs`. */
  waitFor(test: (e: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<void> {
    if (this.events.some(test)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-5))}`)), timeoutMs)
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) })
    })
  }

  count(type: string): number {
    return this.events.filter((e) => e.event === type).length
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    this.child.kill(signal)
    return this.exited
  }
}

/** An input record of the crash tests. */
export interface InputRecord {
  key: string
  amount: number
}

/** A deterministic pseudo-random generator (mulberry32), so a failing run can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What the output says about each key, checked against the input. */
export interface Verdict {
  keys: number
  outputs: number
  /** Outputs that repeat an input record already counted (same partition and offset). */
  duplicates: number
  /** Input records no output counts. */
  missing: number
  /** Keys whose output sequence is not exactly one output per input record, in order, with the right running totals. */
  badSequences: string[]
  /** Sum over keys of (final total − true total). */
  overCount: number
  /** Keys whose final total is below the truth. */
  underCounted: string[]
}

/**
 * Compares the output of the totals pipeline with the input. `inputs` are the input records as read
 * back from the input topic (with partitions and offsets); `outputs` the output records, in the order
 * of their output partition.
 */
export function verify(inputs: ConsumerRecord[], outputs: ConsumerRecord[]): Verdict {
  const expected = new Map<string, { partition: number; offset: number; amount: number }[]>()
  for (const r of inputs) {
    const key = r.key!.toString()
    const list = expected.get(key) ?? []
    list.push({ partition: r.partition, offset: Number(r.offset), amount: (JSON.parse(r.value!.toString()) as { amount: number }).amount })
    expected.set(key, list)
  }
  const actual = new Map<string, { total: number; count: number; partition: number; offset: number }[]>()
  for (const r of outputs) {
    const key = r.key!.toString()
    const list = actual.get(key) ?? []
    list.push(JSON.parse(r.value!.toString()) as { total: number; count: number; partition: number; offset: number })
    actual.set(key, list)
  }
  const verdict: Verdict = { keys: expected.size, outputs: outputs.length, duplicates: 0, missing: 0, badSequences: [], overCount: 0, underCounted: [] }
  for (const [key, ins] of expected) {
    ins.sort((a, b) => a.offset - b.offset)
    const outs = actual.get(key) ?? []
    const seen = new Set<string>()
    for (const o of outs) {
      const id = `${o.partition}:${o.offset}`
      if (seen.has(id)) verdict.duplicates++
      seen.add(id)
    }
    verdict.missing += ins.filter((i) => !seen.has(`${i.partition}:${i.offset}`)).length
    const truth = ins.reduce((s, i) => s + i.amount, 0)
    const final = outs.length > 0 ? outs[outs.length - 1]!.total : 0
    verdict.overCount += final - truth
    if (final < truth) verdict.underCounted.push(key)
    let running = 0
    const exact =
      outs.length === ins.length &&
      ins.every((i, n) => {
        running += i.amount
        const o = outs[n]!
        return o.partition === i.partition && o.offset === i.offset && o.count === n + 1 && o.total === running
      })
    if (!exact) {
      verdict.badSequences.push(key)
      if (process.env.STREAMS_DEBUG === '1' && verdict.badSequences.length === 1) {
        const firstBad = ins.findIndex((i, n) => outs[n]?.offset !== i.offset || outs[n]?.partition !== i.partition)
        console.log(key, 'first mismatch at', firstBad, 'expected', ins.slice(Math.max(0, firstBad - 2), firstBad + 3), 'actual', outs.slice(Math.max(0, firstBad - 2), firstBad + 3))
      }
    }
  }
  return verdict
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiVersionsApi, CreateTopicsApi, ErrorCode, ListGroupsApi, ListTransactionsApi, MetadataApi } from '@tributary/protocol'
import { spawnBroker, type BrokerChild, type ChildMemory } from '../test/fixtures/broker-child.js'
import { RawConnection } from '../test/fixtures/raw-connection.js'
import { runCampaign, type CampaignReport } from './campaign.js'
import { seededRandom } from './random.js'
import { buildSeeds } from './seeds.js'
import { startSteadyClient, type SteadyReport } from './steady-client.js'
import { DEFAULT_VOCABULARY } from './values.js'

/** How a fuzz session runs. */
export interface FuzzSessionOptions {
  frames: number
  seed: number
  /** Fuzzing connections at once. Default 8. */
  connections?: number
  /** Seeds built per API version. Default 4. */
  seedsPerVersion?: number
  /** How often the broker's memory is sampled. Default 250 ms. */
  sampleEveryMs?: number
  progress?: (line: string) => void
}

/** Memory of the broker process over a session, in bytes. */
export interface MemoryFigures {
  /** After start-up and preparation, after a full collection. */
  startHeapUsed: number
  /** Heap and off-heap memory (buffers) in use, after a full collection: what a leak would grow. */
  startRetained: number
  startRss: number
  /** The largest sample while fuzzing. */
  peakRss: number
  peakHeapUsed: number
  /** After the session, after a full collection. */
  endHeapUsed: number
  endRetained: number
  endRss: number
  samples: number
}

/** What a fuzz session found. */
export interface FuzzSessionReport {
  seed: number
  /** API versions the seeds cover (every one the broker advertises). */
  apiVersions: number
  apis: number
  campaign: CampaignReport
  steady: SteadyReport
  memory: MemoryFigures
  /** How the broker process ended, when it did during the session (a crash). */
  crashed?: string
  /** ERROR lines the broker logged: each is a bug (a handler that threw, an unexpected failure). */
  errorLines: string[]
  /** What the fuzzed requests left behind (state that legitimately costs memory), when the broker survived. */
  state?: { topics: number; partitions: number; groups: number; transactionalIds: number }
}

/** Topics the seeds name, created before fuzzing; the steady client's topic is apart from them. */
const STEADY_TOPIC = 'steady-client'

/**
 * A whole fuzz session: starts a broker in a child process on a fresh data directory, creates the
 * vocabulary's topics, asks it which API versions it serves, builds seeds for every one of them,
 * then runs the campaign while a well-behaved client produces and fetches on its own connection
 * and the broker's memory is sampled. Ends by checking that the broker still answers, and reports.
 *
 * @example
 * ```ts
 * const report = await runFuzzSession({ frames: 100_000, seed: 1 })
 * ```
 */
export async function runFuzzSession(o: FuzzSessionOptions): Promise<FuzzSessionReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-fuzz-'))
  const broker = await spawnBroker(dataDir, { logLevel: 'warn' })
  let crashed: string | undefined
  void broker.exited.then(({ code, signal }) => (crashed = `the broker process exited (code ${code}, signal ${signal})`))
  try {
    const ranges = await prepare(broker.port)
    const seeds = buildSeeds(ranges, o.seedsPerVersion ?? 4, seededRandom(o.seed), DEFAULT_VOCABULARY)
    o.progress?.(`${seeds.length} seeds for ${ranges.reduce((n, r) => n + r.maxVersion - r.minVersion + 1, 0)} versions of ${ranges.length} APIs`)
    const start = await broker.memory(true)
    const sampler = sampleMemory(broker, o.sampleEveryMs ?? 250)
    const steady = startSteadyClient(broker.port, STEADY_TOPIC)
    const campaign = await runCampaign({
      port: broker.port,
      seeds,
      frames: o.frames,
      connections: o.connections ?? 8,
      seed: o.seed,
      shouldStop: () => crashed !== undefined,
      progress: (sent) => o.progress?.(`${sent} frames sent, ${sampler.last ? `broker RSS ${mb(sampler.last.rss)}, heap ${mb(sampler.last.heapUsed)}` : ''}`),
    })
    const steadyReport = await steady.stop()
    const samples = sampler.stop()
    const state = crashed ? undefined : await stillAnswers(broker.port)
    const end = crashed ? start : await broker.memory(true)
    return {
      seed: o.seed,
      apiVersions: ranges.reduce((n, r) => n + r.maxVersion - r.minVersion + 1, 0),
      apis: ranges.length,
      campaign,
      steady: steadyReport,
      memory: {
        startHeapUsed: start.heapUsed,
        startRetained: start.heapUsed + start.external,
        startRss: start.rss,
        peakRss: Math.max(start.rss, ...samples.map((s) => s.rss)),
        peakHeapUsed: Math.max(start.heapUsed, ...samples.map((s) => s.heapUsed)),
        endHeapUsed: end.heapUsed,
        endRetained: end.heapUsed + end.external,
        endRss: end.rss,
        samples: samples.length,
      },
      ...(crashed ? { crashed: `${crashed}; its last output:\n${broker.log().slice(-4000)}` } : {}),
      errorLines: broker.log().split('\n').filter((l) => l.startsWith('ERROR')).slice(0, 20),
      ...(state ? { state } : {}),
    }
  } finally {
    broker.process.kill('SIGKILL')
    await broker.exited
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function prepare(port: number): Promise<{ apiKey: number; minVersion: number; maxVersion: number }[]> {
  const conn = await RawConnection.connect(port)
  try {
    const topics = [
      ...DEFAULT_VOCABULARY.topics.map((name) => ({ name, numPartitions: 3, replicationFactor: 1, configs: name.includes('compact') ? [{ name: 'cleanup.policy', value: 'compact' }] : [] })),
      { name: STEADY_TOPIC, numPartitions: 1, replicationFactor: 1, configs: [] },
    ]
    const created = await conn.request(CreateTopicsApi, 7, { topics, timeoutMs: 10_000 })
    for (const t of created.topics) if (t.errorCode !== ErrorCode.NONE) throw new Error(`creating ${t.name} failed: ${t.errorMessage}`)
    const versions = await conn.request(ApiVersionsApi, 3, { clientSoftwareName: 'tributary-fuzz', clientSoftwareVersion: '1' })
    return versions.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }))
  } finally {
    conn.close()
  }
}

/** Checks that the broker still answers, and counts the state the session left: topics, groups, transactional ids. */
async function stillAnswers(port: number): Promise<NonNullable<FuzzSessionReport['state']>> {
  const conn = await RawConnection.connect(port)
  try {
    const metadata = await conn.request(MetadataApi, 12, { topics: null })
    if (metadata.brokers.length !== 1) throw new Error('after fuzzing, Metadata no longer lists the broker')
    const groups = await conn.request(ListGroupsApi, 4, { statesFilter: [] })
    const transactions = await conn.request(ListTransactionsApi, 0, { stateFilters: [], producerIdFilters: [] })
    return {
      topics: metadata.topics.length,
      partitions: metadata.topics.reduce((n, t) => n + t.partitions.length, 0),
      groups: groups.groups.length,
      transactionalIds: transactions.transactionStates.length,
    }
  } finally {
    conn.close()
  }
}

function sampleMemory(broker: BrokerChild, everyMs: number): { readonly last: ChildMemory | undefined; stop(): ChildMemory[] } {
  const samples: ChildMemory[] = []
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    broker.memory(false).then(
      (m) => {
        samples.push(m)
        busy = false
      },
      () => (busy = false),
    )
  }, everyMs)
  return {
    get last() {
      return samples.at(-1)
    },
    stop() {
      clearInterval(timer)
      return samples
    },
  }
}

/** Bytes as mebibytes, for progress lines. */
export function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`
}

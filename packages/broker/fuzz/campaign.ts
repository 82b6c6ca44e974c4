import { connect, type Socket } from 'node:net'
import { ApiVersionsApi, FrameSplitter, encodeRequestFrame } from '@tributary/protocol'
import { mutateFrame } from './mutate.js'
import { seededRandom } from './random.js'
import type { Seed } from './seeds.js'

/** How a fuzz campaign sends its frames. */
export interface CampaignOptions {
  port: number
  /** Valid requests to mutate: every served API and version. */
  seeds: readonly Seed[]
  /** Mutated frames to send in all. */
  frames: number
  /** Connections sending at once; each has its own random stream derived from `seed`. */
  connections: number
  seed: number
  /**
   * The most frames sent on a connection before waiting for their answers; each window holds 1 to
   * this many. Default 2: a malformed frame closes its connection, and the frames after it in the
   * same window are never read.
   */
  window?: number
  /** How long to wait for a window's answers before giving up on the connection. Default 2 000 ms. */
  windowTimeoutMs?: number
  /** Called about every 1 000 frames with the frames sent so far. */
  progress?: (sent: number) => void
  /** Polled between windows: a truthy answer stops the campaign (the broker died). */
  shouldStop?: () => boolean
}

/** What a campaign did. */
export interface CampaignReport {
  framesSent: number
  /** Fuzz frames answered (the rest closed their connection, or were Produce with acks=0). */
  answered: number
  /** Connections the broker closed (a malformed request closes its connection, as Kafka does). */
  closedByBroker: number
  /** Windows whose answers did not all come in time (a long-polling fetch, a frame still waiting for bytes). */
  slowWindows: number
  /** Frames sent per API, by name. */
  perApi: Record<string, number>
  /** How often each mutation was applied. */
  perMutation: Record<string, number>
  durationMs: number
}

/** The sentinel after each window: ApiVersions v0, whose answer means every frame before it was read. */
const SENTINEL_VERSION = 0

/**
 * Sends `frames` mutated requests over `connections` connections at once. Each connection sends a
 * window of frames (each a seed mutated by `mutateFrame`), then an ApiVersions sentinel, and
 * waits for the sentinel's answer: responses come in request order, so it arrives once the broker
 * has dealt with the whole window. When the broker closes the connection (it does on a malformed
 * request) a new one is opened; after a frame whose size prefix lies the connection is given up,
 * since what follows it is misread. Frame generation depends only on `seed`, not on timing.
 *
 * @example
 * ```ts
 * const report = await runCampaign({ port, seeds, frames: 20_000, connections: 8, seed: 1 })
 * ```
 */
export async function runCampaign(o: CampaignOptions): Promise<CampaignReport> {
  const report: CampaignReport = { framesSent: 0, answered: 0, closedByBroker: 0, slowWindows: 0, perApi: {}, perMutation: {}, durationMs: 0 }
  const started = Date.now()
  const quota = Math.ceil(o.frames / o.connections)
  let nextProgress = 1_000
  const onSent = () => {
    report.framesSent++
    if (report.framesSent >= nextProgress) {
      nextProgress += 1_000
      o.progress?.(report.framesSent)
    }
  }
  const workers = Array.from({ length: o.connections }, (_, worker) => runWorker(o, worker, Math.min(quota, o.frames - quota * worker), report, onSent))
  await Promise.all(workers)
  report.durationMs = Date.now() - started
  return report
}

async function runWorker(o: CampaignOptions, worker: number, quota: number, report: CampaignReport, onSent: () => void): Promise<void> {
  const rnd = seededRandom(o.seed * 7919 + worker)
  const bySeries = new Map<string, Seed[]>()
  for (const s of o.seeds) bySeries.set(`${s.apiKey}/${s.version}`, [...(bySeries.get(`${s.apiKey}/${s.version}`) ?? []), s])
  let sent = 0
  let sentinelId = 0x4000_0000
  while (sent < quota && !o.shouldStop?.()) {
    const link = await openOrStop(o)
    if (!link) return
    let brokenFraming = false
    while (link.isOpen && sent < quota && !brokenFraming && !o.shouldStop?.()) {
      const count = Math.min(1 + Math.floor(rnd() * (o.window ?? 2)), quota - sent)
      const chunks: Buffer[] = []
      for (let i = 0; i < count; i++) {
        const seed = o.seeds[Math.floor(rnd() * o.seeds.length)]!
        const series = bySeries.get(`${seed.apiKey}/${seed.version}`)!
        const donor = series[Math.floor(rnd() * series.length)]!
        const mutant = mutateFrame(seed.frame, rnd, donor.frame)
        chunks.push(mutant.frame)
        report.perApi[seed.apiName] = (report.perApi[seed.apiName] ?? 0) + 1
        for (const m of mutant.mutations) report.perMutation[m] = (report.perMutation[m] ?? 0) + 1
        sent++
        onSent()
        if (mutant.mutations[0]?.startsWith('size')) {
          brokenFraming = true
          break
        }
      }
      const sentinel = ++sentinelId
      if (!brokenFraming) chunks.push(encodeRequestFrame(ApiVersionsApi, SENTINEL_VERSION, { correlationId: sentinel, clientId: 'fuzz-sentinel' }, {}))
      link.socket.write(Buffer.concat(chunks))
      // After a lying size prefix nothing that follows can be read right: end the stream.
      if (brokenFraming) link.socket.end()
      const outcome = await link.until(brokenFraming ? -1 : sentinel, o.windowTimeoutMs ?? 2_000)
      if (outcome === 'timeout') report.slowWindows++
      if (outcome !== 'answered') break
      report.answered--
    }
    report.answered += link.responses
    if (link.closedByPeer && !brokenFraming) report.closedByBroker++
    link.socket.destroy()
  }
}

/** Opens a connection; undefined when it is refused because the broker died (`shouldStop` says so within a second). */
async function openOrStop(o: CampaignOptions): Promise<Link | undefined> {
  try {
    return await open(o.port)
  } catch (err) {
    for (let i = 0; i < 50 && !o.shouldStop?.(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    if (o.shouldStop?.()) return undefined
    throw err
  }
}

interface Link {
  socket: Socket
  readonly isOpen: boolean
  readonly closedByPeer: boolean
  readonly responses: number
  /** Waits for the response with this correlation id (-1: for the close). */
  until(correlationId: number, timeoutMs: number): Promise<'answered' | 'closed' | 'timeout'>
}

function open(port: number): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true })
    const splitter = new FrameSplitter(1 << 30)
    let isOpen = true
    let closedByPeer = false
    let responses = 0
    let waiter: { id: number; done: (outcome: 'answered' | 'closed') => void } | undefined
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = splitter.push(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const frame of frames) {
        responses++
        if (waiter && frame.length >= 4 && frame.readInt32BE(0) === waiter.id) waiter.done('answered')
      }
    })
    socket.on('end', () => (closedByPeer = true))
    socket.on('error', () => {})
    socket.on('close', () => {
      isOpen = false
      waiter?.done('closed')
    })
    socket.once('connect', () =>
      resolve({
        socket,
        get isOpen() {
          return isOpen
        },
        get closedByPeer() {
          return closedByPeer
        },
        get responses() {
          return responses
        },
        until(id, timeoutMs) {
          if (!isOpen) return Promise.resolve('closed')
          return new Promise((done) => {
            const timer = setTimeout(() => {
              waiter = undefined
              done('timeout')
            }, timeoutMs)
            waiter = {
              id,
              done: (outcome) => {
                clearTimeout(timer)
                waiter = undefined
                done(outcome)
              },
            }
          })
        },
      }),
    )
    socket.once('error', reject)
  })
}

import { MetadataApi } from '@tributary/protocol'
import { RawClient, startTestBroker } from '@tributary/testkit'
import { describe, expect, it } from 'vitest'
import { resolveBrokerOptions } from '../src/options.js'
import { openConnections } from './fixtures/hostile-clients.js'

/** Connection limits, with the client addresses loopback offers (127.0.0.2, 127.0.0.3, ...). */
describe('connection limits', () => {
  it('closes connections over max.connections.per.ip (or its override for an address) and max.connections, with a log line naming the limit', async () => {
    const { broker, log } = await startTestBroker({
      configs: { 'max.connections': '200', 'max.connections.per.ip': '50', 'max.connections.per.ip.overrides': '127.0.0.3:120' },
    })
    try {
      const fromTwo = await openConnections(broker.port, 60, '127.0.0.2')
      expect(fromTwo.filter((c) => c.served)).toHaveLength(50)
      expect(log.matching('closed a new connection from 127.0.0.2: that address has 50 connections open, its limit (max.connections.per.ip allows 50)')).toHaveLength(1)

      const fromThree = await openConnections(broker.port, 130, '127.0.0.3')
      expect(fromThree.filter((c) => c.served)).toHaveLength(120)

      // 170 open: 30 more fit under max.connections, from any address.
      const fromFour = await openConnections(broker.port, 40, '127.0.0.4')
      expect(fromFour.filter((c) => c.served)).toHaveLength(30)

      // Refusals within ten seconds are summarized in one line when the ten seconds are up.
      expect(log.matching(/closed a new connection/).length).toBeLessThanOrEqual(2)

      // Closing connections frees their places.
      for (const c of [...fromTwo, ...fromThree, ...fromFour]) c.socket.destroy()
      await Promise.all([...fromTwo, ...fromThree, ...fromFour].map((c) => c.closed))
      await waitUntil(async () => (await openConnections(broker.port, 50, '127.0.0.2')).every((c) => c.served && (c.socket.destroy(), true)))
    } finally {
      await broker.close()
    }
  })

  it('pauses reading at queued.max.requests unanswered requests and answers every one, in order, once it resumes', async () => {
    const { broker, log } = await startTestBroker({ configs: { 'queued.max.requests': '10' } })
    let first = true
    // The first request waits, so the ones behind it pile up unanswered.
    broker.intercept(() => {
      if (!first) return undefined
      first = false
      return { delayMs: 300 }
    })
    const client = await RawClient.connect(broker.port)
    try {
      const pending = Array.from({ length: 200 }, () => client.send(MetadataApi, 12, { topics: [] }).response)
      const answers = await Promise.all(pending)
      expect(answers).toHaveLength(200)
      expect(client.arrivals).toEqual([...client.arrivals].sort((a, b) => a - b))
      expect(log.matching(/reading paused: 10 requests wait for their answers \(queued\.max\.requests=10\)/).length).toBeGreaterThanOrEqual(1)
      expect(log.matching(/reading resumed/).length).toBeGreaterThanOrEqual(1)
    } finally {
      await client.close()
      await broker.close()
    }
  })

  it('validates the limits at start-up, naming the setting', () => {
    expect(resolveBrokerOptions({ storage: 'memory' }).connections).toEqual({
      maxConnections: 10_000,
      maxConnectionsPerIp: 2_147_483_647,
      perIpOverrides: new Map(),
      queuedMaxRequests: 500,
      maxUnsentResponseBytes: 1_048_576,
      idleTimeoutMs: 600_000,
      requestAssemblyTimeoutMs: 60_000,
    })
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'max.connections': '0' } })).toThrow(/configs\['max.connections'\]: "0"; expected an integer from 1/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'queued.max.response.bytes': '100' } })).toThrow(/queued.max.response.bytes.*from 16384/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'max.connections.per.ip.overrides': 'localhost:5' } })).toThrow(/IP addresses; "localhost" is not one/)
    expect(() => resolveBrokerOptions({ storage: 'memory', configs: { 'max.connections.per.ip.overrides': '10.0.0.1' } })).toThrow(/"address:count" pairs/)
    expect(resolveBrokerOptions({ storage: 'memory', configs: { 'max.connections.per.ip.overrides': '10.0.0.1:5, [::1]:7' } }).connections.perIpOverrides).toEqual(
      new Map([
        ['10.0.0.1', 5],
        ['::1', 7],
      ]),
    )
  })
})

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

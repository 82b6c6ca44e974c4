import net from 'node:net'
import { MetadataApi } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { startFrameServer, type FrameServer } from '../../test/helpers/frame-server.js'
import { ConnectionError } from '../errors/client-errors.js'
import { ConnectionPool, type ConnectionPoolOptions } from './pool.js'

const base: ConnectionPoolOptions = {
  clientId: 'test',
  requestTimeoutMs: 5_000,
  socketConnectionSetupTimeoutMs: 2_000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1_000,
  connectionsMaxIdleMs: 540_000,
  random: () => 0.5,
}

let pool: ConnectionPool | undefined
let server: FrameServer | undefined
afterEach(async () => {
  pool?.close()
  await server?.close()
  pool = server = undefined
})

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

describe('ConnectionPool', () => {
  it('shares one connection per broker and lane', async () => {
    server = await startFrameServer((req, reply) => reply.send(MetadataApi, {}))
    pool = new ConnectionPool(base)
    const address = { host: '127.0.0.1', port: server.port }
    const [a, b] = await Promise.all([pool.get(address), pool.get(address)])
    expect(a).toBe(b)
    const fetchLane = await pool.get(address, { lane: 'fetch' })
    expect(fetchLane).not.toBe(a)
    expect(server.sockets).toHaveLength(2)
  })

  it('backs off exponentially between failed attempts to reach a broker', async () => {
    pool = new ConnectionPool(base)
    const address = { host: '127.0.0.1', port: await closedPort() }
    const delays: number[] = []
    const failedAt: number[] = []
    for (let i = 0; i < 5; i++) {
      await expect(pool.get(address)).rejects.toBeInstanceOf(ConnectionError)
      failedAt.push(Date.now())
      delays.push(pool.reconnectDelay(address))
    }
    // After 1, 2, 3, 4, 5 consecutive failures: 50, 100, 200, 400, 800 ms (jitter fixed at the midpoint).
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThan(50 * 2 ** i - 25)
      expect(d).toBeLessThanOrEqual(50 * 2 ** i)
    })
    // Each later `get` waited out the previous backoff before trying again.
    for (let i = 1; i < 5; i++) expect(failedAt[i]! - failedAt[i - 1]!).toBeGreaterThanOrEqual(50 * 2 ** (i - 1) - 10)
  })

  it('resets the backoff once a connection succeeds', async () => {
    server = await startFrameServer(() => {})
    pool = new ConnectionPool(base)
    const address = { host: '127.0.0.1', port: server.port }
    const conn = await pool.get(address)
    expect(pool.reconnectDelay(address)).toBe(0)
    server.sockets[0]!.destroy()
    await new Promise((r) => conn.onClose(r))
    // A lost connection costs one initial backoff, not an escalated one.
    expect(pool.reconnectDelay(address)).toBeLessThanOrEqual(50)
    const again = await pool.get(address)
    expect(again).not.toBe(conn)
    expect(again.usable).toBe(true)
  })

  it('reports lost connections but not ones the client closed', async () => {
    server = await startFrameServer(() => {})
    pool = new ConnectionPool(base)
    const lost: string[] = []
    pool.onDisconnect((address) => lost.push(address))
    const conn = await pool.get({ host: '127.0.0.1', port: server.port })
    conn.close()
    await new Promise((r) => setTimeout(r, 20))
    expect(lost).toEqual([])
    await pool.get({ host: '127.0.0.1', port: server.port })
    server.sockets[1]!.destroy()
    await new Promise((r) => setTimeout(r, 50))
    expect(lost).toEqual([server.address])
  })

  it('closes connections idle for connectionsMaxIdleMs and reopens on demand', async () => {
    server = await startFrameServer((req, reply) => reply.send(MetadataApi, {}))
    pool = new ConnectionPool({ ...base, connectionsMaxIdleMs: 100 })
    const address = { host: '127.0.0.1', port: server.port }
    const conn = await pool.get(address)
    await new Promise((r) => setTimeout(r, 350))
    expect(conn.state).toBe('closed')
    const fresh = await pool.get(address)
    expect(fresh).not.toBe(conn)
    await fresh.request(MetadataApi, { topics: null })
  })

  it('replaces a suspect connection for new requests and closes it once its requests finish', async () => {
    let answered = 0
    server = await startFrameServer((req, reply) => {
      // The first Metadata is never answered: it times out and makes the connection suspect.
      if (answered++ > 0) reply.send(MetadataApi, {})
    })
    pool = new ConnectionPool({ ...base, requestTimeoutMs: 100 })
    const address = { host: '127.0.0.1', port: server.port }
    const first = await pool.get(address)
    await expect(first.request(MetadataApi, { topics: null })).rejects.toMatchObject({ code: 'REQUEST_TIMED_OUT' })
    expect(first.suspect).toBe(true)
    const second = await pool.get(address)
    expect(second).not.toBe(first)
    await second.request(MetadataApi, { topics: null })
    await new Promise((r) => setTimeout(r, 20))
    expect(first.state).toBe('closed')
  })
})

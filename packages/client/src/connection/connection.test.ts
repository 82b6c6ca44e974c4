import { ApiVersionsApi, ErrorCode, MetadataApi, ProduceApi, Writer, type RequestFrame } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { connectionOptions, startFrameServer, type FrameServer, type Reply } from '../../test/helpers/frame-server.js'
import { ConnectionError, RequestTimeoutError, UnsupportedVersionError } from '../errors/client-errors.js'
import { Connection } from './connection.js'

let server: FrameServer | undefined
let conn: Connection | undefined
afterEach(async () => {
  conn?.close()
  await server?.close()
  server = conn = undefined
})

/** Metadata answers whose controller id is the request's correlation id, to tell them apart. */
const metadataReply = (req: RequestFrame, reply: Reply) => reply.encode(MetadataApi, { controllerId: req.correlationId, clusterId: `c${req.correlationId}` })

describe('Connection framing and correlation', () => {
  it('negotiates versions and picks the highest both sides support', async () => {
    server = await startFrameServer((req, reply) => reply.send(MetadataApi, {}), {
      versions: [
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
        { apiKey: 3, minVersion: 0, maxVersion: 9 },
      ],
    })
    conn = await Connection.open(connectionOptions(server))
    expect(conn.versionFor(MetadataApi)).toBe(9)
    expect(conn.versionFor(MetadataApi, 4)).toBe(4)
    await conn.request(MetadataApi, { topics: null })
    expect(server.requests.map((r) => [r.apiKey, r.apiVersion])).toEqual([
      [18, ApiVersionsApi.maxVersion],
      [3, 9],
    ])
  })

  it('matches responses sent in reverse order to their requests', async () => {
    const held: Buffer[] = []
    server = await startFrameServer((req, reply) => {
      held.push(metadataReply(req, reply))
      if (held.length === 3) for (const frame of held.reverse()) reply.socket.write(frame)
    })
    conn = await Connection.open(connectionOptions(server))
    const results = await Promise.all([1, 2, 3].map(() => conn!.request(MetadataApi, { topics: null })))
    const ids = server.requests.filter((r) => r.apiKey === 3).map((r) => r.correlationId)
    expect(results.map((r) => r.controllerId)).toEqual(ids)
    expect(results.map((r) => r.clusterId)).toEqual(ids.map((id) => `c${id}`))
  })

  it('reassembles responses split across chunks and separates responses sharing one chunk', async () => {
    const held: Buffer[] = []
    server = await startFrameServer(async (req, reply) => {
      held.push(metadataReply(req, reply))
      if (held.length < 3) return
      const all = Buffer.concat(held)
      // First response byte by byte, the rest in two uneven pieces that cut through frames.
      const first = held[0]!.length
      for (let i = 0; i < first; i++) {
        reply.socket.write(all.subarray(i, i + 1))
        await new Promise((r) => setImmediate(r))
      }
      const cut = first + 7
      reply.socket.write(all.subarray(first, cut))
      await new Promise((r) => setTimeout(r, 5))
      reply.socket.write(all.subarray(cut))
    })
    conn = await Connection.open(connectionOptions(server))
    const results = await Promise.all([1, 2, 3].map(() => conn!.request(MetadataApi, { topics: null })))
    const ids = server.requests.filter((r) => r.apiKey === 3).map((r) => r.correlationId)
    expect(results.map((r) => r.controllerId)).toEqual(ids)
  })

  it('fails only the request that timed out, marks the connection suspect and drops the late response', async () => {
    let slow: Buffer | undefined
    server = await startFrameServer((req, reply) => {
      if (slow === undefined) slow = metadataReply(req, reply)
      else reply.socket.write(metadataReply(req, reply))
    })
    conn = await Connection.open(connectionOptions(server, { requestTimeoutMs: 150 }))
    const first = conn.request(MetadataApi, { topics: null })
    const second = conn.request(MetadataApi, { topics: null })
    const firstError = first.catch((e: unknown) => e)
    const ids = () => server!.requests.filter((r) => r.apiKey === 3).map((r) => r.correlationId)
    expect((await second).controllerId).toBe(ids()[1])
    const err = await firstError
    expect(err).toBeInstanceOf(RequestTimeoutError)
    expect(err).toMatchObject({ code: 'REQUEST_TIMED_OUT', retriable: true })
    expect((err as Error).message).toContain('Metadata')
    expect(conn.suspect).toBe(true)
    expect(conn.usable).toBe(false)
    server.sockets[0]!.write(slow!)
    const third = await conn.request(MetadataApi, { topics: null }, { timeoutMs: 2_000 })
    expect(third.controllerId).toBe(ids()[2])
    expect(conn.state).toBe('ready')
  })

  it('rejects every request in flight with a retriable connection error when the broker hangs up', async () => {
    server = await startFrameServer((req, reply) => {
      if (server!.requests.filter((r) => r.apiKey === 3).length === 2) reply.socket.destroy()
    })
    conn = await Connection.open(connectionOptions(server))
    const results = await Promise.allSettled([conn.request(MetadataApi, { topics: null }), conn.request(MetadataApi, { topics: null })])
    for (const r of results) {
      expect(r.status).toBe('rejected')
      const reason = (r as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(ConnectionError)
      expect(reason.retriable).toBe(true)
    }
    expect(conn.state).toBe('closed')
    await expect(conn.request(MetadataApi, { topics: null })).rejects.toBeInstanceOf(ConnectionError)
  })

  it('rejects requests in flight when the client closes the connection', async () => {
    server = await startFrameServer(() => {})
    conn = await Connection.open(connectionOptions(server))
    const closed = new Promise((resolve) => conn!.onClose(resolve))
    const pending = conn.request(MetadataApi, { topics: null })
    conn.close()
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED', retriable: true })
    await expect(closed).resolves.toMatchObject({ code: 'CONNECTION_CLOSED' })
  })

  it('closes the connection on a response whose correlation id matches no request', async () => {
    server = await startFrameServer((req, reply) => {
      const frame = metadataReply(req, reply)
      frame.writeInt32BE(9999, 4)
      reply.socket.write(frame)
    })
    conn = await Connection.open(connectionOptions(server))
    await expect(conn.request(MetadataApi, { topics: null })).rejects.toThrow(/correlation id 9999/)
    expect(conn.state).toBe('closed')
  })

  it('sends requests that expect no response and keeps correlating the ones that do', async () => {
    server = await startFrameServer((req, reply) => {
      if (req.apiKey === 3) reply.socket.write(metadataReply(req, reply))
    })
    conn = await Connection.open(connectionOptions(server))
    await conn.sendWithoutResponse(ProduceApi, { acks: 0, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(10) }] }] })
    const meta = await conn.request(MetadataApi, { topics: null })
    const produce = server.requests.find((r) => r.apiKey === 0)!
    expect(meta.controllerId).toBe(produce.correlationId + 1)
    expect(conn.inFlight).toBe(0)
  })

  it('holds requests beyond maxInFlightRequests until a response frees a slot, in order', async () => {
    const replies: (() => void)[] = []
    server = await startFrameServer((req, reply) => {
      replies.push(() => reply.socket.write(metadataReply(req, reply)))
    })
    conn = await Connection.open(connectionOptions(server, { maxInFlightRequests: 1 }))
    const a = conn.request(MetadataApi, { topics: null })
    const b = conn.request(MetadataApi, { topics: null })
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requests.filter((r) => r.apiKey === 3)).toHaveLength(1)
    expect(conn.inFlight).toBe(2)
    replies.shift()!()
    await a
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requests.filter((r) => r.apiKey === 3)).toHaveLength(2)
    replies.shift()!()
    await expect(b).resolves.toBeDefined()
  })

  it('makes a one-way send wait while the socket is full (backpressure)', async () => {
    server = await startFrameServer(() => {})
    conn = await Connection.open(connectionOptions(server))
    server.sockets[0]!.pause()
    const records = Buffer.alloc(16 * 1024 * 1024)
    let done = false
    const send = conn.sendWithoutResponse(ProduceApi, { acks: 0, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] }).then(() => (done = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(done).toBe(false)
    server.sockets[0]!.resume()
    await send
    expect(done).toBe(true)
  })
})

describe('Connection version negotiation', () => {
  it('retries ApiVersions at the version the broker offers after UNSUPPORTED_VERSION', async () => {
    server = await startFrameServer(
      (req, reply) => {
        if (req.apiKey !== 18) return
        if (req.apiVersion > 2) {
          // An older broker answers in the v0 format, listing its own ApiVersions range.
          const w = new Writer()
          w.int32(0).int32(req.correlationId).int16(ErrorCode.UNSUPPORTED_VERSION).int32(1).int16(18).int16(0).int16(2)
          w.patchInt32(0, w.offset - 4)
          reply.socket.write(w.toBuffer())
          return
        }
        reply.send(ApiVersionsApi, { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }, { apiKey: 3, minVersion: 0, maxVersion: 8 }] })
      },
      { answerApiVersions: false },
    )
    conn = await Connection.open(connectionOptions(server))
    expect(server.requests.map((r) => r.apiVersion)).toEqual([ApiVersionsApi.maxVersion, 2])
    expect(conn.versionFor(MetadataApi)).toBe(8)
  })

  it('falls back to ApiVersions v0 when the broker lists no ApiVersions range', async () => {
    server = await startFrameServer(
      (req, reply) => {
        if (req.apiVersion > 0) {
          const w = new Writer()
          w.int32(0).int32(req.correlationId).int16(ErrorCode.UNSUPPORTED_VERSION).int32(0)
          w.patchInt32(0, w.offset - 4)
          reply.socket.write(w.toBuffer())
          return
        }
        reply.send(ApiVersionsApi, { apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 5 }] })
      },
      { answerApiVersions: false },
    )
    conn = await Connection.open(connectionOptions(server))
    expect(server.requests.map((r) => r.apiVersion)).toEqual([ApiVersionsApi.maxVersion, 0])
    expect(conn.versionFor(MetadataApi)).toBe(5)
  })

  it('names the API and both ranges when no version overlaps, and says when the API is missing', async () => {
    server = await startFrameServer(() => {}, {
      versions: [
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
        { apiKey: 3, minVersion: MetadataApi.maxVersion + 1, maxVersion: MetadataApi.maxVersion + 3 },
      ],
    })
    conn = await Connection.open(connectionOptions(server))
    const err = await conn.request(MetadataApi, { topics: null }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnsupportedVersionError)
    expect((err as Error).message).toBe(
      `No common version of Metadata (API key 3): broker ${server.address} supports versions ${MetadataApi.maxVersion + 1}-${MetadataApi.maxVersion + 3}, this client supports 0-${MetadataApi.maxVersion}`,
    )
    expect(() => conn!.versionFor(ProduceApi)).toThrow(/does not support Produce \(API key 0\)/)
  })
})

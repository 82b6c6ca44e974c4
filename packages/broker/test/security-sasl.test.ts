import { connect as netConnect, type Socket } from 'node:net'
import { SaslAuthenticationError, ScramMechanism } from '@tributary/client'
import {
  ApiVersionsApi,
  ErrorCode,
  FetchApi,
  FrameSplitter,
  MetadataApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
  decodeResponseFrame,
  encodeRequestFrame,
  type ApiDefinition,
  type Input,
} from '@tributary/protocol'
import { RawClient, randomTopic, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createTopic, fetchValues, produceValues } from './fixtures/secure-client.js'

const PLAIN_USERS = { alice: 'alice-plain-secret' }
const SCRAM_USERS = { bob: 'bob-scram-secret' }

describe('SASL on a SASL_PLAINTEXT listener', () => {
  let t: TestBroker
  let plainPort: number
  let saslPort: number
  beforeAll(async () => {
    t = await startTestBroker({ listeners: ['PLAINTEXT://127.0.0.1:0', 'SASL_PLAINTEXT://127.0.0.1:0'], sasl: { plainUsers: PLAIN_USERS, scramUsers: SCRAM_USERS } })
    plainPort = t.broker.listeners[0]!.port
    saslPort = t.broker.listeners[1]!.port
  })
  afterAll(() => t.broker.close())

  for (const [mechanism, username, password] of [
    ['plain', 'alice', PLAIN_USERS.alice],
    ['scram-sha-256', 'bob', SCRAM_USERS.bob],
    ['scram-sha-512', 'bob', SCRAM_USERS.bob],
  ] as const) {
    it(`authenticates our client with ${mechanism}, which then produces and fetches`, async () => {
      const conn = await connect(saslPort, { sasl: { mechanism, username, password } })
      const topic = randomTopic(mechanism)
      expect(await createTopic(conn, topic)).toBe(ErrorCode.NONE)
      expect(await produceValues(conn, topic, ['a', 'b', 'c'])).toBe(ErrorCode.NONE)
      expect(await fetchValues(conn, topic)).toEqual({ errorCode: ErrorCode.NONE, values: ['a', 'b', 'c'] })
      conn.close()
      expect(t.log.matching(`authenticated as User:${username} with SASL ${mechanism.toUpperCase()}`).length).toBeGreaterThan(0)
    })
  }

  it('answers wrong credentials with SASL_AUTHENTICATION_FAILED, the same for unknown users, and never logs the secret', async () => {
    const wrong = 'not-the-right-password-42'
    const failures: SaslAuthenticationError[] = []
    for (const sasl of [
      { mechanism: 'scram-sha-256', username: 'bob', password: wrong },
      { mechanism: 'scram-sha-256', username: 'nobody', password: wrong },
      { mechanism: 'plain', username: 'alice', password: wrong },
    ] as const) {
      const err = await connect(saslPort, { sasl }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(SaslAuthenticationError)
      expect((err as SaslAuthenticationError).code).toBe('SASL_AUTHENTICATION_FAILED')
      failures.push(err as SaslAuthenticationError)
    }
    // An unknown user and a wrong password look the same to the client.
    expect(failures[1]!.message.replace('"nobody"', '"bob"')).toBe(failures[0]!.message)
    await waitFor(() => t.log.matching('authentication of user "alice" failed').length > 0)
    expect(t.log.matching('SASL SCRAM-SHA-256 authentication of user "bob" failed: wrong password')).toHaveLength(1)
    expect(t.log.matching('SASL SCRAM-SHA-256 authentication of user "nobody" failed: unknown user')).toHaveLength(1)
    expect(t.log.matching(wrong)).toEqual([])
    expect(t.log.matching(PLAIN_USERS.alice)).toEqual([])
    expect(t.log.matching(SCRAM_USERS.bob)).toEqual([])
  })

  it('serves nothing but ApiVersions and SaslHandshake before authentication; anything else closes the connection with a log line', async () => {
    const raw = await RawClient.connect(saslPort)
    const versions = await raw.request(ApiVersionsApi, 3, { clientSoftwareName: 'probe', clientSoftwareVersion: '1' })
    expect(versions.errorCode).toBe(ErrorCode.NONE)
    await expect(raw.request(MetadataApi, 12, { topics: null })).rejects.toThrow(/closed/)
    await raw.closed
    expect(t.log.matching(/closing connection \d+ .*: Metadata request before SASL authentication on listener SASL_PLAINTEXT/)).toHaveLength(1)

    // Also where the version is one the broker does not serve, which would otherwise be answered.
    const oldFetch = await RawClient.connect(saslPort)
    await expect(oldFetch.request(FetchApi, 3, { replicaId: -1, maxWaitMs: 0, minBytes: 1, topics: [] })).rejects.toThrow(/closed/)
    expect(t.log.matching('Fetch request before SASL authentication')).toHaveLength(1)

    const early = await RawClient.connect(saslPort)
    await expect(early.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from('\0bob\0x') })).rejects.toThrow(/closed/)

    // After a handshake, only SaslAuthenticate.
    const midway = await RawClient.connect(saslPort)
    expect((await midway.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.NONE)
    await expect(midway.request(MetadataApi, 12, { topics: null })).rejects.toThrow(/closed/)
    expect(t.log.matching('Metadata request during SASL authentication on listener SASL_PLAINTEXT')).toHaveLength(1)
  })

  it('answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list, then closes', async () => {
    const raw = await RawClient.connect(saslPort)
    const res = await raw.request(SaslHandshakeApi, 1, { mechanism: 'GSSAPI' })
    expect(res).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    await raw.closed
  })

  it('answers ILLEGAL_SASL_STATE on a PLAINTEXT listener and after authentication', async () => {
    const raw = await RawClient.connect(plainPort)
    expect((await raw.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE)
    expect((await raw.request(SaslAuthenticateApi, 1, { authBytes: Buffer.alloc(0) })).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE)
    expect((await raw.request(MetadataApi, 12, { topics: null })).brokers[0]!.port).toBe(plainPort)
    await raw.close()

    const conn = await connect(saslPort, { sasl: { mechanism: 'plain', username: 'alice', password: PLAIN_USERS.alice } })
    const again = await conn.request(SaslAuthenticateApi, { authBytes: Buffer.from(`\0alice\0${PLAIN_USERS.alice}`) })
    expect(again.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE)
    expect((await conn.request(MetadataApi, { topics: null })).brokers[0]!.port).toBe(saslPort)
    conn.close()
  })

  describe('the unframed flow after SaslHandshake v0', () => {
    it('authenticates PLAIN with a raw token and serves requests afterwards', async () => {
      const raw = await LegacySocket.open(saslPort)
      const handshake = await raw.request(SaslHandshakeApi, 0, { mechanism: 'PLAIN' })
      expect(handshake.errorCode).toBe(ErrorCode.NONE)
      expect(await raw.token(Buffer.from(`\0alice\0${PLAIN_USERS.alice}`))).toEqual(Buffer.alloc(0))
      const metadata = await raw.request(MetadataApi, 9, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
      expect(metadata.brokers[0]!.port).toBe(saslPort)
      raw.close()
    })

    it('runs both SCRAM round trips unframed, checking the server signature', async () => {
      const raw = await LegacySocket.open(saslPort)
      expect((await raw.request(SaslHandshakeApi, 0, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE)
      const scram = new ScramMechanism('sha256', 'bob', SCRAM_USERS.bob)
      const serverFirst = await raw.token(scram.start())
      expect(serverFirst.toString()).toMatch(/^r=.+,s=.+,i=4096$/)
      const serverFinal = await raw.token(scram.next(serverFirst)!)
      expect(scram.next(serverFinal)).toBeNull() // throws if the server signature were wrong
      expect((await raw.request(MetadataApi, 9, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).brokers).toHaveLength(1)
      raw.close()
    })

    it('closes the connection on a wrong password, as there is no way to carry an error', async () => {
      const raw = await LegacySocket.open(saslPort)
      expect((await raw.request(SaslHandshakeApi, 0, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.NONE)
      await expect(raw.token(Buffer.from('\0alice\0wrong-legacy-password'))).rejects.toThrow(/closed/)
      expect(t.log.matching('wrong-legacy-password')).toEqual([])
    })
  })
})

/** A socket speaking size-prefixed frames: Kafka requests, or raw SASL tokens after SaslHandshake v0. */
class LegacySocket {
  private readonly splitter = new FrameSplitter()
  private readonly waiting: { resolve(frame: Buffer): void; reject(err: Error): void }[] = []
  private correlationId = 1

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.waiting.shift()?.resolve(frame)
    })
    socket.on('close', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('the connection closed'))
    })
    socket.on('error', () => {})
  }

  static open(port: number): Promise<LegacySocket> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host: '127.0.0.1' }, () => resolve(new LegacySocket(socket)))
      socket.once('error', reject)
    })
  }

  async request<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Input<Req>): Promise<Res> {
    const frame = await this.send(encodeRequestFrame(api, version, { correlationId: this.correlationId++, clientId: 'legacy' }, body))
    return decodeResponseFrame(api, version, frame).body
  }

  /** Sends a raw SASL token (size-prefixed, no Kafka header) and resolves with the reply token. */
  token(bytes: Buffer): Promise<Buffer> {
    const sized = Buffer.alloc(4 + bytes.length)
    sized.writeInt32BE(bytes.length, 0)
    bytes.copy(sized, 4)
    return this.send(sized)
  }

  close(): void {
    this.socket.destroy()
  }

  private send(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.socket.write(bytes)
    })
  }
}

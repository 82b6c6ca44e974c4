import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import type net from 'node:net'
import { ErrorCode, MetadataApi, SaslAuthenticateApi, SaslHandshakeApi, type SaslAuthenticateRequest, type SaslHandshakeRequest } from '@tributary/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { connectionOptions, startFrameServer, type FrameServer } from '../../../test/helpers/frame-server.js'
import { SaslAuthenticationError } from '../../errors/client-errors.js'
import type { SaslOptions } from '../../options/client-options.js'
import { Connection } from '../connection.js'

const USERS: Record<string, string> = { alice: 'alice-secret-pw' }
const ENABLED = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

/** A broker-side SASL implementation written independently of the client's, from RFC 5802. */
function saslBroker(enabled = ENABLED, opts: { forgeSignature?: boolean } = {}) {
  const state = new WeakMap<net.Socket, { mechanism: string; authenticated: boolean; bare?: string; serverFirst?: string; salt?: Buffer; user?: string }>()
  return startFrameServer((req, reply) => {
    const s = state.get(reply.socket) ?? { mechanism: '', authenticated: false }
    state.set(reply.socket, s)
    if (req.apiKey === SaslHandshakeApi.apiKey) {
      const { mechanism } = reply.body as SaslHandshakeRequest
      s.mechanism = mechanism
      reply.send(SaslHandshakeApi, { errorCode: enabled.includes(mechanism) ? 0 : ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled })
      return
    }
    if (req.apiKey === SaslAuthenticateApi.apiKey) {
      const message = (reply.body as SaslAuthenticateRequest).authBytes.toString('utf8')
      const fail = () =>
        reply.send(SaslAuthenticateApi, {
          errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${s.mechanism}`,
        })
      if (s.mechanism === 'PLAIN') {
        const [, user, password] = message.split('\u0000')
        if (USERS[user!] !== password) return fail()
        s.authenticated = true
        return reply.send(SaslAuthenticateApi, { authBytes: Buffer.alloc(0) })
      }
      const hash = s.mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256'
      if (!s.bare) {
        s.bare = message.slice(3)
        s.user = /n=([^,]*)/.exec(s.bare)![1]
        const clientNonce = /r=([^,]*)/.exec(s.bare)![1]
        s.salt = randomBytes(16)
        s.serverFirst = `r=${clientNonce}${randomBytes(12).toString('base64')},s=${s.salt.toString('base64')},i=4096`
        return reply.send(SaslAuthenticateApi, { authBytes: Buffer.from(s.serverFirst) })
      }
      const password = USERS[s.user!]
      if (password === undefined) return fail()
      const withoutProof = message.slice(0, message.indexOf(',p='))
      const proof = Buffer.from(message.slice(message.indexOf(',p=') + 3), 'base64')
      const salted = pbkdf2Sync(password, s.salt!, 4096, hash === 'sha512' ? 64 : 32, hash)
      const storedKey = createHash(hash).update(createHmac(hash, salted).update('Client Key').digest()).digest()
      const authMessage = `${s.bare},${s.serverFirst},${withoutProof}`
      const signature = createHmac(hash, storedKey).update(authMessage).digest()
      const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!))
      if (!createHash(hash).update(clientKey).digest().equals(storedKey)) return fail()
      s.authenticated = true
      const serverSignature = createHmac(hash, createHmac(hash, salted).update('Server Key').digest()).update(authMessage).digest()
      if (opts.forgeSignature) serverSignature[0] ^= 0xff
      return reply.send(SaslAuthenticateApi, { authBytes: Buffer.from(`v=${serverSignature.toString('base64')}`), sessionLifetimeMs: 0n })
    }
    if (!s.authenticated) return reply.socket.destroy()
    reply.send(MetadataApi, { clusterId: 'authenticated' })
  })
}

let server: FrameServer | undefined
let conn: Connection | undefined
afterEach(async () => {
  conn?.close()
  await server?.close()
  server = conn = undefined
})

const open = (sasl: SaslOptions) => Connection.open(connectionOptions(server!, { sasl }))

describe('SASL authentication', () => {
  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`authenticates with ${mechanism} before the first request`, async () => {
      server = await saslBroker()
      conn = await open({ mechanism, username: 'alice', password: USERS.alice! })
      const meta = await conn.request(MetadataApi, { topics: null })
      expect(meta.clusterId).toBe('authenticated')
      expect(server.requests.map((r) => r.apiKey).slice(0, 3)).toEqual([18, 17, 36])
    })
  }

  it('fails with SASL_AUTHENTICATION_FAILED naming mechanism and user, never the password', async () => {
    server = await saslBroker()
    const err = await open({ mechanism: 'scram-sha-256', username: 'alice', password: 'wrong-password-123' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SaslAuthenticationError)
    expect(err).toMatchObject({ code: 'SASL_AUTHENTICATION_FAILED', retriable: false })
    const message = (err as Error).message
    expect(message).toContain('SCRAM-SHA-256')
    expect(message).toContain('"alice"')
    expect(message).not.toContain('wrong-password-123')
    expect(JSON.stringify(err)).not.toContain('wrong-password-123')
  })

  it('lists the mechanisms the broker enables when ours is not one of them', async () => {
    server = await saslBroker(['PLAIN'])
    const err = await open({ mechanism: 'scram-sha-512', username: 'alice', password: USERS.alice! }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNSUPPORTED_SASL_MECHANISM' })
    expect((err as Error).message).toMatch(/does not enable SCRAM-SHA-512; it enables PLAIN/)
  })

  it('rejects a broker that cannot prove it knows the credentials', async () => {
    server = await saslBroker(ENABLED, { forgeSignature: true })
    const err = await open({ mechanism: 'scram-sha-256', username: 'alice', password: USERS.alice! }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SaslAuthenticationError)
    expect((err as Error).message).toMatch(/server signature is wrong/)
  })
})

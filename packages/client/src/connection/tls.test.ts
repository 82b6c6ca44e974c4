import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MetadataApi } from '@tributary/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectionOptions, startFrameServer, type FrameServer } from '../../test/helpers/frame-server.js'
import { ConnectionError } from '../errors/client-errors.js'
import { Connection } from './connection.js'

let dir: string
let cert: Buffer
let server: FrameServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-tls-'))
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' })
  cert = readFileSync(join(dir, 'cert.pem'))
  server = await startFrameServer((req, reply) => reply.send(MetadataApi, { clusterId: 'over-tls' }), {
    tls: { key: readFileSync(join(dir, 'key.pem')), cert },
  })
})

afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('TLS connections', () => {
  it('connect and speak Kafka frames over TLS when the CA is trusted', async () => {
    const conn = await Connection.open(connectionOptions(server, { host: 'localhost', ssl: { ca: cert } }))
    try {
      expect((await conn.request(MetadataApi, { topics: null })).clusterId).toBe('over-tls')
    } finally {
      conn.close()
    }
  })

  it('refuse an untrusted certificate by default, naming the broker', async () => {
    const err = await Connection.open(connectionOptions(server, { ssl: true })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect((err as Error).message).toMatch(/self-signed|self signed/)
    expect((err as Error).message).toContain(server.address)
  })

  it('pass node TLS options through (rejectUnauthorized: false)', async () => {
    const conn = await Connection.open(connectionOptions(server, { ssl: { rejectUnauthorized: false } }))
    conn.close()
  })
})

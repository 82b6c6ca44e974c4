import { readFileSync } from 'node:fs'
import { CreateAclsApi, DescribeClusterApi, ErrorCode, FindCoordinatorApi, MetadataApi } from '@tributary/protocol'
import { RawClient, randomTopic, startTestBroker, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker } from '../src/index.js'
import { resolveBrokerOptions } from '../src/options.js'
import { connect, createTopic, fetchValues, produceValues } from './fixtures/secure-client.js'
import { makeTestCerts, type TestCerts } from './fixtures/tls-certs.js'

let certs: TestCerts
beforeAll(() => {
  certs = makeTestCerts()
})
afterAll(() => certs.remove())

describe('several listeners at once', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,INTERNAL://127.0.0.1:0',
      configs: { 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:PLAINTEXT', 'advertised.listeners': 'INTERNAL://localhost:0' },
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
    })
  })
  afterAll(() => t.broker.close())

  it('binds each, reports them, and keeps port and bootstrapServers for the first', () => {
    const [plain, ssl, internal] = t.broker.listeners
    expect(t.broker.listeners.map((l) => [l.name, l.securityProtocol, l.host])).toEqual([
      ['PLAINTEXT', 'PLAINTEXT', '127.0.0.1'],
      ['SSL', 'SSL', '127.0.0.1'],
      ['INTERNAL', 'PLAINTEXT', '127.0.0.1'],
    ])
    expect(new Set([plain!.port, ssl!.port, internal!.port]).size).toBe(3)
    expect(t.broker.port).toBe(plain!.port)
    expect(t.broker.bootstrapServers).toBe(`127.0.0.1:${plain!.port}`)
  })

  it('advertises, in Metadata, FindCoordinator and DescribeCluster, the listener each request came in on', async () => {
    const [plain, ssl, internal] = t.broker.listeners
    const expectations = [
      { conn: await connect(plain!.port), host: '127.0.0.1', port: plain!.port },
      { conn: await connect(ssl!.port, { ssl: { ca: certs.ca } }), host: '127.0.0.1', port: ssl!.port },
      { conn: await connect(internal!.port), host: 'localhost', port: internal!.port },
    ]
    for (const { conn, host, port } of expectations) {
      expect((await conn.request(MetadataApi, { topics: null })).brokers).toEqual([{ nodeId: 0, host, port, rack: null }])
      expect(await conn.request(FindCoordinatorApi, { keyType: 0, coordinatorKeys: ['g'] })).toMatchObject({ coordinators: [{ key: 'g', nodeId: 0, host, port, errorCode: 0 }] })
      expect((await conn.request(DescribeClusterApi, { includeClusterAuthorizedOperations: false, endpointType: 1 })).brokers).toEqual([{ brokerId: 0, host, port, rack: null }])
      conn.close()
    }
  })

  it('serves produce and fetch over TLS, and refuses plaintext bytes on the TLS port', async () => {
    const ssl = t.broker.listeners[1]!
    const conn = await connect(ssl.port, { ssl: { ca: certs.ca } })
    const topic = randomTopic('tls')
    expect(await createTopic(conn, topic)).toBe(ErrorCode.NONE)
    expect(await produceValues(conn, topic, ['over', 'tls'])).toBe(ErrorCode.NONE)
    expect(await fetchValues(conn, topic)).toEqual({ errorCode: ErrorCode.NONE, values: ['over', 'tls'] })
    conn.close()
    const raw = await RawClient.connect(ssl.port)
    await expect(raw.request(MetadataApi, 12, { topics: null }, { timeoutMs: 5_000 })).rejects.toThrow()
    await raw.close()
  })
})

describe('mutual TLS (requireClientCert)', () => {
  let t: TestBroker
  beforeAll(async () => {
    t = await startTestBroker({
      listeners: ['SSL://127.0.0.1:0', 'PLAINTEXT://127.0.0.1:0'],
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caFile, requireClientCert: true },
      authorizer: true,
      superUsers: ['User:ANONYMOUS'],
    })
  })
  afterAll(() => t.broker.close())

  it('refuses clients without a certificate or with one from another CA', async () => {
    const port = t.broker.listeners[0]!.port
    await expect(connect(port, { ssl: { ca: certs.ca } })).rejects.toThrow()
    await expect(connect(port, { ssl: { ca: certs.ca, cert: readFileSync(certs.rogueCert), key: readFileSync(certs.rogueKey) } })).rejects.toThrow()
  })

  it('names a client with a valid certificate by its subject, User:CN=...,OU=...,O=...,C=..., which ACLs then apply to', async () => {
    const [ssl, plain] = t.broker.listeners
    const conn = await connect(ssl!.port, { ssl: { ca: certs.ca, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } })
    expect(t.log.matching(`client certificate accepted as ${certs.clientPrincipal}`)).toHaveLength(1)
    const topic = randomTopic('mtls')
    expect(await createTopic(conn, topic)).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    // ANONYMOUS (the plaintext listener) is a super user here and grants the certificate's principal Create.
    const admin = await connect(plain!.port)
    const granted = await admin.request(CreateAclsApi, {
      creations: [{ resourceType: 2, resourceName: topic, resourcePatternType: 3, principal: certs.clientPrincipal, host: '*', operation: 5, permissionType: 3 }],
    })
    expect(granted.results).toEqual([{ errorCode: 0, errorMessage: null }])
    expect(await createTopic(conn, topic)).toBe(ErrorCode.NONE)
    admin.close()
    conn.close()
  })
})

describe('listener and TLS options', () => {
  it('are checked at start-up with errors that name the problem', async () => {
    const memory = { storage: 'memory' as const }
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['SSL://127.0.0.1:0'] })).toThrow(/listener SSL uses SSL but no certificate is configured/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['SSL://127.0.0.1:0'], tls: { certFile: '/no/such.crt', keyFile: certs.serverKey } })).toThrow(/tls.certFile: .*no\/such.crt/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['SSL://127.0.0.1:0'], tls: { certFile: certs.serverCert, keyFile: certs.clientKey } })).toThrow(/cannot be used/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['SSL://127.0.0.1:0'], tls: { certFile: certs.serverCert, keyFile: certs.serverKey, requireClientCert: true } })).toThrow(/no tls.caFile/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['PLAINTEXT://127.0.0.1:9092', 'PLAINTEXT://127.0.0.1:9093'] })).toThrow(/PLAINTEXT appears twice/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['A://127.0.0.1:9092', 'B://127.0.0.1:9092'], configs: { 'listener.security.protocol.map': 'A:PLAINTEXT,B:SSL' } })).toThrow(/A and B both use 9092/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['EXTERNAL://:9094'] })).toThrow(/add EXTERNAL:<protocol> to listener.security.protocol.map/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['PLAINTEXT://localhost'] })).toThrow(/NAME:\/\/host:port/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['PLAINTEXT://:0'], advertisedListeners: ['OTHER://x:1'] })).toThrow(/names of listeners in listeners \(PLAINTEXT\)/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['PLAINTEXT://:0'], advertisedListeners: ['PLAINTEXT://0.0.0.0:1'] })).toThrow(/not a wildcard/)
    expect(() => resolveBrokerOptions({ ...memory, listeners: ['SASL_PLAINTEXT://:0'], sasl: { mechanisms: ['PLAIN'] } })).toThrow(/PLAIN is enabled but no PLAIN users are configured/)
    expect(() => resolveBrokerOptions({ ...memory, configs: { 'authorizer.class.name': 'com.example.Custom' } })).toThrow(/Kafka's ACL authorizers/)
    expect(() => resolveBrokerOptions({ ...memory, superUsers: ['alice'] })).toThrow(/User:<name>/)
  })

  it('accept Kafka config names, an empty host as every interface, and keep port and host as one PLAINTEXT listener', async () => {
    const o = resolveBrokerOptions({
      storage: 'memory',
      port: 1234,
      configs: {
        listeners: 'PLAINTEXT://:0,SSL://[::1]:0',
        'ssl.keystore.location': certs.serverKeystore,
        'ssl.client.auth': 'requested',
        'ssl.truststore.location': certs.caFile,
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin;User:ops',
      },
    })
    expect(o.listeners.map((l) => [l.name, l.host, l.port, l.advertisedHost])).toEqual([
      ['PLAINTEXT', '0.0.0.0', 0, 'localhost'],
      ['SSL', '::1', 0, '::1'],
    ])
    expect(o.security.tls).toMatchObject({ clientAuth: 'requested', caFile: certs.caFile })
    expect(o.security.authorizer).toEqual({ enabled: true, superUsers: new Set(['User:admin', 'User:ops']), allowEveryoneIfNoAclFound: false })
    expect(o.settings.get('listeners')).toEqual({ value: 'PLAINTEXT://0.0.0.0:0,SSL://[::1]:0', explicit: true })
    expect(resolveBrokerOptions({ storage: 'memory', port: 0, host: '127.0.0.1' }).listeners).toEqual([
      { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: '127.0.0.1', advertisedPort: 0 },
    ])
    const broker = await startBroker({ storage: 'memory', listeners: ['PLAINTEXT://127.0.0.1:0'], advertisedListeners: ['PLAINTEXT://broker.example:9092'], logger: { info() {}, warn() {}, error() {} } })
    expect(broker.bootstrapServers).toBe('broker.example:9092')
    await broker.close()
  })
})

import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { randomTopic, requireKcat, runKcat, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, fetchValues } from './fixtures/secure-client.js'
import { makeTestCerts, type TestCerts } from './fixtures/tls-certs.js'

const USER = 'interop'
const PASSWORD = 'interop-scram-secret'

describe('SASL/SCRAM over TLS (SASL_SSL) with kafkajs, kcat and our client', () => {
  let certs: TestCerts
  let t: TestBroker
  let port: number
  beforeAll(async () => {
    certs = makeTestCerts()
    t = await startTestBroker({
      listeners: ['SASL_SSL://127.0.0.1:0'],
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
      sasl: { scramUsers: { [USER]: PASSWORD } },
      configs: { 'group.initial.rebalance.delay.ms': '0' },
    })
    port = t.broker.port
  })
  afterAll(async () => {
    await t.broker.close()
    certs.remove()
  })

  const kafkajs = (mechanism: 'scram-sha-256' | 'scram-sha-512', password = PASSWORD) =>
    new Kafka({
      clientId: 'security-interop',
      brokers: [`127.0.0.1:${port}`],
      ssl: { ca: [certs.ca] },
      sasl: { mechanism, username: USER, password } as SASLOptions,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    })

  const kcatSecurity = (mechanism: string) => ['-b', `127.0.0.1:${port}`, '-X', 'security.protocol=SASL_SSL', '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`, '-X', `ssl.ca.location=${certs.caFile}`]

  it('kafkajs (SCRAM-SHA-512) produces, kcat (SCRAM-SHA-256) consumes, kcat produces, a kafkajs consumer group reads it all', async (ctx) => {
    requireKcat(ctx)
    const topic = randomTopic('sasl-ssl')
    const producer = kafkajs('scram-sha-512').producer({ allowAutoTopicCreation: true })
    await producer.connect()
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `from-kafkajs-${i}` })) })
    await producer.disconnect()

    const consumed = await runKcat(['-C', ...kcatSecurity('SCRAM-SHA-256'), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n'])
    expect(consumed.stdout.toString().split('\n').filter(Boolean)).toEqual(['k0=from-kafkajs-0', 'k1=from-kafkajs-1', 'k2=from-kafkajs-2'])
    await runKcat(['-P', ...kcatSecurity('SCRAM-SHA-256'), '-t', topic, '-K', ':'], { input: 'k3:from-kcat-3\nk4:from-kcat-4\n' })

    const consumer = kafkajs('scram-sha-256').consumer({ groupId: randomTopic('sasl-ssl-group'), maxWaitTimeInMs: 100 })
    const seen: string[] = []
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) })
    await waitFor(() => seen.length === 5, { timeoutMs: 20_000, message: 'the kafkajs consumer to read 5 records' })
    await consumer.disconnect()
    expect(seen).toEqual(['from-kafkajs-0', 'from-kafkajs-1', 'from-kafkajs-2', 'from-kcat-3', 'from-kcat-4'])

    // Our client reads the same records through the same listener.
    const ours = await connect(port, { ssl: { ca: certs.ca }, sasl: { mechanism: 'scram-sha-256', username: USER, password: PASSWORD } })
    expect((await fetchValues(ours, topic)).values).toEqual(seen)
    ours.close()
    expect(t.log.matching(PASSWORD)).toEqual([])
  }, 40_000)

  it('kafkajs and kcat fail to authenticate with a wrong password', async (ctx) => {
    const producer = kafkajs('scram-sha-256', 'wrong-password')
    await expect(producer.producer().connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed|Authentication failed/)
    requireKcat(ctx)
    const args = kcatSecurity('SCRAM-SHA-256').map((a) => (a === `sasl.password=${PASSWORD}` ? 'sasl.password=wrong-password' : a))
    await expect(runKcat(['-L', ...args, '-m', '2'], { timeoutMs: 15_000 })).rejects.toThrow(/Authentication failed|SASL authentication error/i)
    await waitFor(() => t.log.matching(`authentication of user "${USER}" failed: wrong password`).length >= 2)
    expect(t.log.matching('wrong-password')).toEqual([])
  }, 30_000)
})

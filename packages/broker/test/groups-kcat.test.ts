import { spawn, type ChildProcess } from 'node:child_process'
import { DescribeGroupsApi, ErrorCode } from '@tributary/protocol'
import { RawClient, findKcat, requireKcat, runKcat, startTestBroker, waitFor, type TestBroker } from '@tributary/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { assignedPartitions, kafkajs } from './groups-helpers.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function broker(): Promise<TestBroker> {
  const t = await startTestBroker({ configs: { 'group.initial.rebalance.delay.ms': '0' } })
  cleanups.push(() => t.broker.close())
  return t
}

/** A kcat balanced consumer (`-G`) running until stopped, collecting `partition offset value` lines. */
interface KcatMember {
  lines: string[]
  stop(): Promise<void>
}

function kcatMember(bootstrap: string, groupId: string, topic: string): KcatMember {
  const child: ChildProcess = spawn(
    findKcat()!,
    [
      '-b', bootstrap,
      '-G', groupId,
      '-X', 'auto.offset.reset=earliest',
      '-X', 'heartbeat.interval.ms=200',
      '-X', 'session.timeout.ms=6000',
      '-X', 'partition.assignment.strategy=range,roundrobin',
      '-f', '%p %o %s\\n',
      '-q',
      '-u',
      topic,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    lines.push(...parts.filter(Boolean))
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const member = {
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
      if (stderr.includes('ERROR')) process.stderr.write(`kcat -G stderr:\n${stderr}\n`)
    },
  }
  cleanups.push(() => member.stop())
  return member
}

describe('consumer groups with kcat (librdkafka)', () => {
  it('splits a topic between two balanced consumers that together read every message once', async (ctx) => {
    requireKcat(ctx)
    const { broker: b } = await broker()
    const topic = 'kcat-balanced'
    const groupId = 'kcat-group'
    b.logs.createTopic(topic, { partitions: 4 })
    const one = kcatMember(b.bootstrapServers, groupId, topic)
    const two = kcatMember(b.bootstrapServers, groupId, topic)

    const client = await RawClient.connect(b.port)
    cleanups.push(() => client.close())
    const assignment = await waitFor(
      async () => {
        const g = (await client.request(DescribeGroupsApi, 4, { groups: [groupId] })).groups[0]!
        if (g.errorCode !== ErrorCode.NONE || g.groupState !== 'Stable' || g.members.length !== 2) return undefined
        const owned = g.members.map((m) => assignedPartitions(m.memberAssignment))
        return owned.every((p) => p.length > 0) ? { protocol: g.protocolData, owned } : undefined
      },
      { timeoutMs: 20_000, intervalMs: 100, message: 'two kcat members in a stable group' },
    )
    expect(['range', 'roundrobin']).toContain(assignment.protocol)
    expect(assignment.owned.flat().sort()).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`))

    const kafka = kafkajs(b.bootstrapServers)
    const producer = kafka.producer()
    await producer.connect()
    const produced: string[] = []
    for (let p = 0; p < 4; p++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({ value: `m-${p}-${i}`, partition: p }))
      produced.push(...messages.map((m) => m.value))
      await producer.send({ topic, messages })
    }
    await producer.disconnect()

    await waitFor(() => one.lines.length + two.lines.length >= produced.length, { timeoutMs: 20_000, message: 'kcat to read all 40 messages' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const values = [...one.lines, ...two.lines].map((l) => l.split(' ')[2]!)
    expect(values.sort()).toEqual([...produced].sort())
    const partitionsOf = (lines: string[]) => new Set(lines.map((l) => Number(l.split(' ')[0])))
    const [p1, p2] = [partitionsOf(one.lines), partitionsOf(two.lines)]
    expect(p1.size).toBeGreaterThan(0)
    expect(p2.size).toBeGreaterThan(0)
    expect([...p1].filter((p) => p2.has(p))).toEqual([])
  })

  it('lets a kafkajs consumer group read what kcat produced', async (ctx) => {
    requireKcat(ctx)
    const { broker: b } = await broker()
    const topic = 'kcat-produced'
    b.logs.createTopic(topic, { partitions: 3 })
    const input = Array.from({ length: 30 }, (_, i) => `key-${i}:value-${i}`).join('\n') + '\n'
    await runKcat(['-P', '-b', b.bootstrapServers, '-t', topic, '-K', ':', '-X', 'partitioner=murmur2_random'], { input })

    const kafka = kafkajs(b.bootstrapServers)
    const consumer = kafka.consumer({ groupId: 'reads-kcat', heartbeatInterval: 200, maxWaitTimeInMs: 100 })
    cleanups.push(() => consumer.disconnect())
    const seen: string[] = []
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.key}:${message.value}`) })
    await waitFor(() => seen.length >= 30, { timeoutMs: 15_000, message: 'kafkajs to read the 30 kcat messages' })
    expect(seen.sort()).toEqual(input.trim().split('\n').sort())
  })
})

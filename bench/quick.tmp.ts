import { startBroker } from '@tributary/broker'
import { fork } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const dataDir = mkdtempSync(join(tmpdir(), 'pb-'))
const broker = await startBroker({ port: 0, dataDir, logger: { debug() {}, info() {}, warn: console.warn, error: console.error } as any })
const which = process.argv.slice(2)
for (const client of which) {
  const topic = `bench-${client}-${Date.now()}`
  broker.logs.createTopic(topic, { partitions: 4 })
  const child = fork('/work/main/packages/producer/bench/client-process.ts', [], { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const res: any = await new Promise((resolve) => { child.once('message', resolve); child.send({ client, bootstrapServers: broker.bootstrapServers, topic, records: 1_000_000, recordSize: 100, chunk: 640, concurrency: 5 }) })
  child.disconnect()
  console.log(client, res.ok ? `${(res.records / res.seconds / 1000).toFixed(0)} k rec/s, ${(res.records * 100 / 1e6 / res.seconds).toFixed(1)} MB/s (${res.seconds.toFixed(2)} s)` : res.error)
}
await broker.close()

// The contexts a TypeScript excerpt can name with `<!-- sample: NAME -->` on the line before its
// fence. A context is code run before the block (the prelude: it declares what the block may use)
// and after it (the epilogue: it closes what was opened). docs/README.md lists them for writers.
import type { BrokerOptions } from '@tributary/broker'
import { join } from 'node:path'
import type { PortMap } from './ports.ts'

/** One thing a context declares for the block (or does for it, when `declares` is absent). */
export interface ContextEntry {
  /** The variable the block may use. Not declared by the context when the block declares it itself. */
  declares?: string
  /** Variables this entry uses: it is left out when one of them is left out. */
  needs?: string[]
  /** Code run before the block. */
  setup: string
  /** Code run after the block, also when the block declared the variable itself (so the block's own client is closed too). */
  teardown?: string
}

/** A context; what each gives the block is listed in docs/README.md ("How the docs are tested"). */
export interface TsContext {
  name: string
  /** The working directory also holds throwaway certificates, and the environment the users' passwords. */
  certificates?: boolean
  /** The block is a vitest test file: it runs with `vitest run` instead of as a program. */
  testFile?: boolean
  entries(ports: PortMap): ContextEntry[]
}

/**
 * The prelude's own imports, under names a block never uses. The packages' other exports (and a few
 * more, see {@link AUTO_IMPORT_MODULES}) are imported for an excerpt under their own names when it uses
 * them without importing them.
 */
export const PRELUDE_IMPORTS = [
  "import * as __broker from '@tributary/broker'",
  "import * as __client from '@tributary/client'",
  "import * as __producer from '@tributary/producer'",
  "import * as __consumer from '@tributary/consumer'",
  "import * as __streams from '@tributary/streams'",
  "import * as __rxjs from 'rxjs'",
  "import { z as __z } from 'zod'",
]

/**
 * Modules whose exports (or only `names` of them) an excerpt may use without importing them, in order
 * of preference.
 */
export const AUTO_IMPORT_MODULES: readonly { module: string; names?: string[] }[] = [
  { module: '@tributary/protocol' },
  { module: '@tributary/client' },
  { module: '@tributary/producer' },
  { module: '@tributary/consumer' },
  { module: '@tributary/streams' },
  { module: '@tributary/broker' },
  { module: '@tributary/cli' },
  { module: 'node:fs' },
  { module: 'rxjs' },
  { module: 'zod', names: ['z'] },
  { module: 'kafkajs', names: ['Kafka', 'logLevel'] },
]

/** Where each name of {@link AUTO_IMPORT_MODULES} is imported from (loads the modules). */
export async function autoImportTable(): Promise<Map<string, string>> {
  const table = new Map<string, string>()
  for (const { module, names } of AUTO_IMPORT_MODULES) {
    const exported = names ?? Object.keys((await import(module)) as object).filter((n) => n !== 'default')
    for (const name of exported) if (!table.has(name)) table.set(name, module)
  }
  return table
}

/** What the epilogue closes when the block declares it (before the context's own teardown). */
export const BLOCK_CLOSES: Record<string, string> = {
  app: 'await app.close()',
  consumer: 'await consumer.close()',
  producer: 'await producer.close()',
  admin: 'await admin.close()',
}

const brokerEntries = (ports: PortMap): ContextEntry[] => [
  {
    declares: 'broker',
    setup: `const broker = await __broker.startBroker({ port: ${ports[9092]}, storage: 'memory', logger: __broker.silentBrokerLogger, configs: { 'group.initial.rebalance.delay.ms': '0' } })`,
    teardown: 'await broker.close()',
  },
  { declares: 'bootstrapServers', needs: ['broker'], setup: 'const bootstrapServers = broker.bootstrapServers' },
  {
    needs: ['broker'],
    setup: "{ const a = new __client.Admin({ bootstrapServers: broker.bootstrapServers }); await a.createTopics([{ name: 'orders', partitions: 3 }]); await a.close() }",
  },
  { declares: 'admin', needs: ['broker'], setup: 'const admin = new __client.Admin({ bootstrapServers: broker.bootstrapServers })', teardown: 'await admin.close()' },
]

const producerEntry: ContextEntry = {
  declares: 'producer',
  needs: ['broker'],
  setup: 'const producer = new __producer.Producer({ bootstrapServers: broker.bootstrapServers })',
  teardown: 'await producer.close()',
}

/** The options of the broker of docs/security.md's complete example, on the ports of `ports`, with certificates in `dir`. */
export function securedBrokerOptions(ports: PortMap, dir: string, passwords: { admin: string; alice: string }): BrokerOptions {
  return {
    storage: 'memory',
    listeners: [`PLAINTEXT://127.0.0.1:${ports[9092]}`, `SASL_SSL://:${ports[9094]}`],
    tls: { certFile: join(dir, 'broker.crt'), keyFile: join(dir, 'broker.key') },
    sasl: { scramUsers: passwords },
    authorizer: true,
    superUsers: ['User:admin'],
  }
}

/** The contexts, as docs/README.md lists them for writers (a test keeps the two lists equal). */
export const TS_CONTEXTS: readonly TsContext[] = [
  { name: 'broker', entries: brokerEntries },
  {
    name: 'consumer',
    entries: (ports) => [
      ...brokerEntries(ports),
      {
        needs: ['broker'],
        setup:
          "{ const p = new __producer.Producer({ bootstrapServers: broker.bootstrapServers }); await p.sendBatch([0, 1, 2].map((partition) => ({ topic: 'orders', partition, key: `c-${partition + 1}`, value: `order ${partition + 1}` }))); await p.close() }",
      },
      {
        declares: 'consumer',
        needs: ['broker'],
        setup: "const consumer = new __consumer.Consumer({ bootstrapServers: broker.bootstrapServers, groupId: 'billing', autoOffsetReset: 'earliest' })\nawait consumer.subscribe(['orders'])",
        teardown: 'await consumer.close()',
      },
      {
        declares: 'handle',
        needs: ['consumer'],
        setup:
          'let __handled = 0\nconst handle = async (record: { topic: string; partition: number; offset: bigint }) => {\n  console.log(`handled ${record.topic}-${record.partition}@${record.offset}`)\n  if (++__handled === 3) void consumer.close()\n}',
      },
    ],
  },
  {
    name: 'streams',
    entries: (ports) => [
      ...brokerEntries(ports),
      producerEntry,
      { declares: 'orders', setup: "const orders = __streams.defineTopic('orders', { value: __z.object({ id: __z.string(), amount: __z.number().positive() }) })" },
      { declares: 'totals', setup: "const totals = __streams.defineTopic('customer-totals', { value: __z.object({ orders: __z.number(), total: __z.number() }) })" },
      {
        declares: 'perCustomerTotals',
        setup:
          "const perCustomerTotals = (orders$: any) => orders$.pipe(__streams.aggregate(() => ({ orders: 0, total: 0 }), (t: any, order: any) => ({ orders: t.orders + 1, total: t.total + order.value.amount }), { store: 'totals' }), __rxjs.map(({ key, value }: any) => ({ key, value })))",
      },
      {
        declares: 'orders$',
        setup:
          "const orders$ = __rxjs.of(...[['alice', 30], ['bob', 12.5], ['alice', 20]].map(([key, amount], i) => ({ topic: 'orders', partition: 0, offset: BigInt(i), key: key as string, value: { id: `o-${i + 1}`, amount: amount as number }, timestamp: 1_700_000_000_000 + i * 1000, headers: {} })))",
      },
      {
        declares: 'clicks$',
        setup:
          "const clicks$ = __rxjs.of(...['/home', '/home', '/cart'].map((key, i) => ({ topic: 'clicks', partition: 0, offset: BigInt(i), key, value: null, timestamp: 1_700_000_000_000 + i * 1000, headers: {} })))",
      },
    ],
  },
  {
    name: 'security',
    certificates: true,
    entries: (ports) => [
      { declares: 'password', setup: 'const password = process.env.ALICE_PASSWORD!' },
      {
        declares: 'broker',
        setup: `const broker = await __broker.startBroker({ ...${JSON.stringify(securedBrokerOptions(ports, '.', { admin: '', alice: '' }))}, sasl: { scramUsers: { admin: process.env.ADMIN_PASSWORD!, alice: process.env.ALICE_PASSWORD! } }, logger: __broker.silentBrokerLogger })`,
        teardown: 'await broker.close()',
      },
      { declares: 'bootstrapServers', needs: ['broker'], setup: 'const bootstrapServers = broker.bootstrapServers' },
    ],
  },
  { name: 'vitest', testFile: true, entries: () => [] },
]

export function tsContext(name: string): TsContext | undefined {
  return TS_CONTEXTS.find((c) => c.name === name)
}

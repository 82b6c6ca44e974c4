import { describe, expect, it } from 'vitest'
import { tsContext } from './sample-contexts.ts'
import { BLOCK_DONE, contextCode, topLevelDeclarations, tsProgram, usedIdentifiers } from './ts-program.ts'

const ports = { 9092: 41001, 9093: 41002, 9094: 41003 }

describe('TypeScript programs from blocks', () => {
  it('finds the names a block declares at top level', () => {
    const code = [
      "import { Consumer, type Assignor } from '@tributary/consumer'",
      "import assert from 'node:assert/strict'",
      "import * as fs from 'node:fs'",
      'const producer = new Producer({ bootstrapServers })',
      'const { node, leaderEpoch } = await cluster.leaderFor(topic, 0)',
      'const [orders] = await admin.describeTopics([topic])',
      'let seen = 0',
      'async function handle(record) {',
      '  const nested = 1',
      '}',
    ].join('\n')
    expect([...topLevelDeclarations(code)].sort()).toEqual(['Assignor', 'Consumer', 'assert', 'fs', 'handle', 'leaderEpoch', 'node', 'orders', 'producer', 'seen'])
  })

  it('finds the identifiers a block uses, not property names, object keys, strings or comments', () => {
    const used = usedIdentifiers("const p = new Producer({ bootstrapServers, close: () => billing.disconnect(), x: a ? b : c }) // Kafka\nconsole.log('Admin', `${topic}`, ...rest)")
    expect(used.has('Producer')).toBe(true)
    expect(used.has('bootstrapServers')).toBe(true)
    expect(used.has('billing')).toBe(true)
    expect(used.has('b')).toBe(true)
    expect(used.has('topic')).toBe(true)
    expect(used.has('rest')).toBe(true)
    expect(used.has('disconnect')).toBe(false)
    expect(used.has('close')).toBe(false)
    expect(used.has('Kafka')).toBe(false)
    expect(used.has('Admin')).toBe(false)
  })

  it('leaves out what the block declares itself, and what depends on it, but still closes it', () => {
    const entries = [
      { declares: 'broker', setup: 'const broker = 1', teardown: 'await broker.close()' },
      { declares: 'bootstrapServers', needs: ['broker'], setup: 'const bootstrapServers = 2' },
      { needs: ['broker'], setup: 'hidden()' },
      { declares: 'producer', setup: 'const producer = 3', teardown: 'await producer.close()' },
    ]
    expect(contextCode(entries, new Set())).toEqual({
      setup: ['const broker = 1', 'const bootstrapServers = 2', 'hidden()', 'const producer = 3'],
      teardown: ['await producer.close()', 'await broker.close()'],
    })
    expect(contextCode(entries, new Set(['broker']))).toEqual({ setup: ['const producer = 3'], teardown: ['await producer.close()', 'await broker.close()'] })
  })

  it('runs a complete program as it is, its ports mapped', () => {
    const program = tsProgram({ code: "startBroker({ port: 9092 }) // 'localhost:9094'", ports })
    expect(program).toBe("startBroker({ port: 41001 }) // 'localhost:41003'")
  })

  it('wraps an excerpt in its context, importing what it uses and does not import', () => {
    const program = tsProgram({
      code: "const p = new Producer({ bootstrapServers: 'localhost:9092' })\nawait producer.send({ topic: 'orders', value: KafkaError.name })",
      context: tsContext('streams'),
      ports,
      autoImports: new Map([
        ['Producer', '@tributary/producer'],
        ['KafkaError', '@tributary/protocol'],
        ['producer', 'nowhere'],
      ]),
    })
    expect(program).toContain("import { Producer } from '@tributary/producer'")
    expect(program).toContain("import { KafkaError } from '@tributary/protocol'")
    expect(program).not.toContain("from 'nowhere'")
    expect(program).toContain('port: 41001')
    expect(program).toContain("'localhost:41001'")
    const [before, after] = program.split('// --- the block ---')
    expect(before).toContain('const producer = new __producer.Producer')
    expect(after).toContain(BLOCK_DONE)
    expect(after!.indexOf('await producer.close()')).toBeLessThan(after!.indexOf('await broker.close()'))
  })

  it('closes a client the block declares in a context that does not provide it', () => {
    const program = tsProgram({ code: 'const consumer = new Consumer({ bootstrapServers, groupId: "g" })', context: tsContext('broker'), ports, autoImports: new Map() })
    expect(program.split('// --- epilogue ---')[1]).toContain('await consumer.close()')
  })

  it('sends SIGTERM to a sample that waits for it', () => {
    expect(tsProgram({ code: "process.once('SIGTERM', stop)", ports })).toContain("process.kill(process.pid, 'SIGTERM')")
    expect(tsProgram({ code: 'await stop()', ports })).not.toContain('SIGTERM')
  })
})

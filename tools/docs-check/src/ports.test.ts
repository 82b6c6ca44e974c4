import { describe, expect, it } from 'vitest'
import { freePort, mapPorts, unmapPorts } from './ports.ts'
import { brokerCommand, commandToRun, missingOutput, tributaryWrapper } from './shell-samples.ts'

const ports = { 9092: 41001, 9093: 41002, 9094: 41003 }

describe('ports and commands as run', () => {
  it('maps the documented ports to the test ones and back', () => {
    expect(mapPorts('-b localhost:9094 --port 9092, not 19092 or v9093 or 90921', ports)).toBe('-b localhost:41003 --port 41001, not 19092 or v9093 or 90921')
    expect(unmapPorts('listening on 127.0.0.1:41001 (data: ./data)', ports)).toBe('listening on 127.0.0.1:9092 (data: ./data)')
  })

  it('picks a free port', async () => {
    expect(await freePort()).toBeGreaterThan(0)
  })

  it('runs `npx tributary` as the tributary on PATH, and gives a broker line a port', () => {
    expect(commandToRun('npx tributary topics list', ports)).toBe('tributary topics list')
    expect(brokerCommand('npx tributary broker --port 9092 --data-dir ./data', ports)).toBe('tributary broker --port 41001 --data-dir ./data')
    expect(brokerCommand('tributary broker --data-dir ./data --config log.flush.interval.messages=1', ports)).toBe('tributary broker --data-dir ./data --config log.flush.interval.messages=1 --port 41001')
    expect(brokerCommand('tributary broker -c listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://:9094', ports)).toBe('tributary broker -c listeners=PLAINTEXT://127.0.0.1:41001,SASL_SSL://:41003')
    expect(() => brokerCommand('tributary broker --data-dir /var/lib/kafka', ports)).toThrow(/relative/)
  })

  it('checks the output a block shows, ports and blanks aside', () => {
    expect(missingOutput(['Tributary broker listening on 127.0.0.1:9092 (data: ./data)'], 'Tributary broker listening on 127.0.0.1:41001 (data: ./data)\n', ports)).toEqual([])
    expect(missingOutput(['alice SCRAM-SHA-256 (4096 iterations)'], 'alice\tSCRAM-SHA-256 (4096 iterations)\n', ports)).toEqual([])
    expect(missingOutput(['something else'], 'output\n', ports)).toEqual(['something else'])
  })

  it('adds --bootstrap-server only for the subcommands that take it', () => {
    const wrapper = tributaryWrapper('/repo/packages/cli/bin/tributary.js', ['topics', 'produce'])
    expect(wrapper).toContain('  topics|produce)')
    expect(wrapper).toContain('args+=(--bootstrap-server "$DOCS_CHECK_BOOTSTRAP")')
    expect(wrapper).toContain('"/repo/packages/cli/bin/tributary.js"')
  })
})

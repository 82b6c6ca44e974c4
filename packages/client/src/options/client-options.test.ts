import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OptionsError } from '../errors/client-errors.js'
import { clientOptionsSchema } from './client-options.js'
import { parseOptions } from './parse-options.js'

const parse = (input: unknown) => parseOptions(clientOptionsSchema, input, 'Admin')
const messageOf = (input: unknown) => {
  try {
    parse(input)
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError)
    expect((err as OptionsError).code).toBe('INVALID_OPTIONS')
    return (err as Error).message
  }
  throw new Error('expected the options to be rejected')
}

describe('client options', () => {
  it("fill in Kafka's defaults", () => {
    const o = parse({ bootstrapServers: 'localhost:9092' })
    expect(o).toMatchObject({
      bootstrapServers: ['localhost:9092'],
      clientId: 'tributary',
      requestTimeoutMs: 30_000,
      connectionsMaxIdleMs: 540_000,
      metadataMaxAgeMs: 300_000,
      retries: 2_147_483_647,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1_000,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 1_000,
      defaultApiTimeoutMs: 60_000,
      ssl: false,
    })
    expect(typeof o.logger.warn).toBe('function')
  })

  it('accept a bootstrap list as an array or a comma-separated string, IPv6 in brackets', () => {
    expect(parse({ bootstrapServers: 'a:1, b:2' }).bootstrapServers).toEqual(['a:1', 'b:2'])
    expect(parse({ bootstrapServers: ['[::1]:9092'] }).bootstrapServers).toEqual(['[::1]:9092'])
  })

  it('name the option, the value and what is allowed', () => {
    expect(messageOf({ bootstrapServers: 'localhost:9092', requestTimeoutMs: -5 })).toBe(
      'Invalid Admin options:\n  - requestTimeoutMs is -5: expected a number >= 1',
    )
    expect(messageOf({ bootstrapServers: 'localhost:9092', retries: 1.5 })).toContain('retries is 1.5: expected an integer')
    expect(messageOf({ bootstrapServers: 'localhost:9092', sasl: { mechanism: 'scram', username: 'u', password: 'p' } })).toContain(
      'sasl.mechanism is "scram": expected one of "plain", "scram-sha-256", "scram-sha-512"',
    )
    expect(messageOf({ bootstrapServers: 'localhost' })).toContain('bootstrapServers is "localhost": "localhost" is not a broker address: expected "host:port"')
    expect(messageOf({ bootstrapServers: 'h:70000' })).toContain('expected a port from 1 to 65535')
    expect(messageOf({})).toContain('bootstrapServers is missing')
    expect(messageOf({ bootstrapServers: 'h:1', ssl: 'yes' })).toContain('ssl is "yes": expected true, false or an object of TLS options')
    expect(messageOf({ bootstrapServers: 'h:1', logger: console.log })).toContain('logger is a function: expected a logger')
    expect(messageOf('localhost:9092')).toBe('Invalid Admin options: expected an object of options, got "localhost:9092"')
  })

  it('list every problem, one per line', () => {
    const message = messageOf({ bootstrapServers: [], clientId: '', metadataMaxAgeMs: 'often' })
    expect(message.split('\n')).toHaveLength(4)
    expect(message).toContain('clientId is "": expected at least 1 character')
    expect(message).toContain('metadataMaxAgeMs is "often": expected a number')
  })

  it('reject unknown options and suggest the option meant', () => {
    expect(messageOf({ bootstrapServer: 'h:1' })).toContain('unknown option "bootstrapServer" (did you mean "bootstrapServers"?)')
    expect(messageOf({ bootstrapServers: 'h:1', sasl: { mechanism: 'plain', user: 'u', password: 'p' } })).toContain('unknown option "user" in sasl')
    expect(messageOf({ bootstrapServers: 'h:1', colour: 'blue' })).toMatch(/unknown option "colour"$/m)
  })

  it('never show passwords or private keys', () => {
    const message = messageOf({ bootstrapServers: 'h:1', sasl: { mechanism: 'plain', username: '', password: 42 } })
    expect(message).toContain('sasl.password is "***"')
    expect(message).not.toContain('42')
    const tlsMessage = messageOf({ bootstrapServers: 'h:1', ssl: { key: 7, passphrase: 'hunter2-secret' } })
    expect(tlsMessage).not.toContain('hunter2-secret')
  })

  it('extend into producer and consumer schemas that keep the checks and the strictness', () => {
    const producerSchema = clientOptionsSchema.extend({ acks: z.enum(['0', '1', 'all']).default('all') })
    const o = parseOptions(producerSchema, { bootstrapServers: 'h:1' }, 'Producer')
    expect(o.acks).toBe('all')
    expect(o.requestTimeoutMs).toBe(30_000)
    expect(() => parseOptions(producerSchema, { bootstrapServers: 'h:1', ack: 'all' }, 'Producer')).toThrow(/unknown option "ack" \(did you mean "acks"\?\)/)
    expect(() => parseOptions(producerSchema, { bootstrapServers: 'h:1', acks: 2 }, 'Producer')).toThrow(/Invalid Producer options:\n {2}- acks is 2: expected one of "0", "1", "all"/)
  })
})

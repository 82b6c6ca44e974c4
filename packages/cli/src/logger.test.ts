import { describe, expect, it } from 'vitest'
import { KafkaError } from '@tributary/protocol'
import { createLogger, toEventLogger } from './logger.js'

function capture(isTTY = false) {
  const writes: string[] = []
  return { writes, destination: { isTTY, write: (text: string) => writes.push(text) } }
}

describe('createLogger', () => {
  it('writes one readable line per event, synchronously, with time and level', () => {
    const { writes, destination } = capture()
    const log = createLogger('info', destination)
    log.info('first')
    log.warn('second')
    expect(writes).toHaveLength(2)
    expect(writes[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: first\n$/)
    expect(writes[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: second\n$/)
  })

  it('drops events below the level', () => {
    const { writes, destination } = capture()
    const log = createLogger('warn', destination)
    log.info('hidden')
    log.error('shown')
    expect(writes.join('')).not.toContain('hidden')
    expect(writes.join('')).toContain('ERROR: shown')
    createLogger('silent', destination).fatal('nothing')
    expect(writes).toHaveLength(1)
  })

  it('colours only a terminal', () => {
    const plain = capture(false)
    createLogger('info', plain.destination).info('x')
    expect(plain.writes[0]).not.toContain('\u001b[')
    const tty = capture(true)
    const saved = process.env['NO_COLOR']
    delete process.env['NO_COLOR']
    try {
      createLogger('info', tty.destination).info('x')
    } finally {
      if (saved !== undefined) process.env['NO_COLOR'] = saved
    }
    expect(tty.writes[0]).toContain('\u001b[')
  })
})

describe('toEventLogger', () => {
  it('folds details into the same line: errors by message and code, objects as JSON', () => {
    const { writes, destination } = capture()
    const log = toEventLogger(createLogger('debug', destination))
    log.error('closing connection 3', new KafkaError('Frame too large', { code: 'INVALID_REQUEST', retriable: false }))
    log.warn('odd request', { apiKey: 1, offset: 5n })
    log.debug('detail', 'plain text')
    log.info('multi\nline?', new Error('boom'))
    expect(writes).toHaveLength(4)
    expect(writes[0]).toContain('ERROR: closing connection 3: Frame too large (INVALID_REQUEST)')
    expect(writes[1]).toContain('WARN: odd request: {"apiKey":1,"offset":"5"}')
    expect(writes[2]).toContain('DEBUG: detail: plain text')
    for (const line of writes) expect(line.indexOf('\n')).toBe(line.length - 1)
  })

  it('respects the level without formatting anything', () => {
    const { writes, destination } = capture()
    const log = toEventLogger(createLogger('info', destination))
    let formatted = false
    log.debug('hidden', { toJSON: () => ((formatted = true), 'x') })
    expect(writes).toHaveLength(0)
    expect(formatted).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { ERROR_TABLE, ErrorCode } from '../generated/errors.js'
import { KafkaError, isRetriable } from './kafka-error.js'
import { PROTOCOL_ERROR_MESSAGES } from './protocol-error-messages.js'
import { KafkaProtocolError, errorForCode, errorTableEntry } from './protocol-error.js'

describe('protocol errors', () => {
  it('have a hand-written one-sentence message for every entry of the error table, and none extra', () => {
    const names = ERROR_TABLE.map((e) => e.name).sort()
    expect(Object.keys(PROTOCOL_ERROR_MESSAGES).sort()).toEqual(names)
    for (const name of names) {
      const message = PROTOCOL_ERROR_MESSAGES[name]
      expect(message, name).toMatch(/^[A-Z].{15,}\.$/)
      expect(message.split(/(?<=\.) /).length, `${name} is one sentence`).toBe(1)
    }
  })

  it('map codes to names as the table says', () => {
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6)
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1)
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35)
    expect(new Set(ERROR_TABLE.map((e) => e.code)).size).toBe(ERROR_TABLE.length)
    expect(errorTableEntry(3)).toEqual({ code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true })
  })

  it('return null for no error', () => {
    expect(errorForCode(0)).toBeNull()
  })

  it('build errors with the table name as code, the number, retriability and the detail', () => {
    const err = errorForCode(6, 'orders-2')!
    expect(err).toBeInstanceOf(KafkaProtocolError)
    expect(err).toBeInstanceOf(KafkaError)
    expect(err.code).toBe('NOT_LEADER_OR_FOLLOWER')
    expect(err.errorCode).toBe(6)
    expect(err.retriable).toBe(true)
    expect(isRetriable(err)).toBe(true)
    expect(err.name).toBe('KafkaProtocolError')
    expect(err.message).toBe(`NOT_LEADER_OR_FOLLOWER (6): ${PROTOCOL_ERROR_MESSAGES.NOT_LEADER_OR_FOLLOWER} (orders-2)`)
    expect(errorForCode(ErrorCode.TOPIC_AUTHORIZATION_FAILED)!.retriable).toBe(false)
  })

  it('follow the table for retriability of every code', () => {
    for (const entry of ERROR_TABLE) {
      if (entry.code === 0) continue
      const err = errorForCode(entry.code)!
      expect([err.code, err.retriable]).toEqual([entry.name, entry.retriable])
    }
  })

  it('describe unknown codes as an unknown server error naming the number', () => {
    const err = errorForCode(9999)!
    expect(err.code).toBe('UNKNOWN_SERVER_ERROR')
    expect(err.errorCode).toBe(9999)
    expect(err.retriable).toBe(false)
    expect(err.message).toContain('9999')
  })

  it('keep the cause', () => {
    const cause = new Error('socket closed')
    expect(new KafkaProtocolError(13, { cause }).cause).toBe(cause)
  })
})

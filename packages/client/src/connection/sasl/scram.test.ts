import { describe, expect, it } from 'vitest'
import { PlainMechanism } from './plain.js'
import { ScramMechanism } from './scram.js'

const text = (b: Buffer | null) => b?.toString('utf8')

describe('SCRAM client', () => {
  it('reproduces the SCRAM-SHA-256 exchange of RFC 7677 section 3', () => {
    const scram = new ScramMechanism('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
    expect(scram.name).toBe('SCRAM-SHA-256')
    expect(text(scram.start())).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
    const final = scram.next(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'))
    expect(text(final)).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
    expect(scram.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toBeNull()
  })

  it('reproduces the SCRAM-SHA-1 exchange of RFC 5802 section 5 (same algorithm, other hash)', () => {
    const scram = new ScramMechanism('sha1', 'user', 'pencil', 'fyko+d2lbbFgONRv9qkxdawL')
    expect(text(scram.start())).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL')
    const final = scram.next(Buffer.from('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'))
    expect(text(final)).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=')
    expect(scram.next(Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='))).toBeNull()
  })

  it('rejects a server that does not know the password (wrong server signature)', () => {
    const scram = new ScramMechanism('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
    scram.start()
    scram.next(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'))
    expect(() => scram.next(Buffer.from('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toThrow(/server signature is wrong/)
  })

  it('rejects a nonce that does not extend the client nonce, too few iterations, and server errors', () => {
    const fresh = () => {
      const s = new ScramMechanism('sha512', 'user', 'pencil', 'abc')
      s.start()
      return s
    }
    expect(() => fresh().next(Buffer.from('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096'))).toThrow(/nonce/)
    expect(() => fresh().next(Buffer.from('r=abc,s=QSXCR+Q6sek8bf92,i=4096'))).toThrow(/nonce/)
    expect(() => fresh().next(Buffer.from('r=abc123,s=QSXCR+Q6sek8bf92,i=1000'))).toThrow(/1000 iterations; at least 4096/)
    expect(() => fresh().next(Buffer.from('e=unknown-user'))).toThrow(/unknown-user/)
  })

  it('escapes "=" and "," in user names', () => {
    const scram = new ScramMechanism('sha256', 'a=b,c', 'pw', 'n0nce')
    expect(text(scram.start())).toBe('n,,n=a=3Db=2Cc,r=n0nce')
  })

  it('generates a fresh random nonce per exchange', () => {
    const a = text(new ScramMechanism('sha256', 'u', 'p').start())
    const b = text(new ScramMechanism('sha256', 'u', 'p').start())
    expect(a).not.toBe(b)
    expect(a).toMatch(/^n,,n=u,r=[A-Za-z0-9+/=]{40,}$/)
  })
})

describe('PLAIN client', () => {
  it('sends the empty authorisation id, user and password separated by NUL', () => {
    const plain = new PlainMechanism('alice', 's3cret')
    expect(plain.start()).toEqual(Buffer.from('\u0000alice\u0000s3cret'))
    expect(plain.next()).toBeNull()
  })
})

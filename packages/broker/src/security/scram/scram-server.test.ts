import { ScramMechanism } from '@tributary/client'
import { describe, expect, it } from 'vitest'
import { SaslFailure } from '../sasl/mechanism.js'
import { credentialFromPassword, type ScramCredential } from './credential.js'
import { ScramServer } from './scram-server.js'

const KEY = Buffer.alloc(32, 7)

function server(credentials: Record<string, ScramCredential>, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' = 'SCRAM-SHA-256', nonce?: () => string) {
  return new ScramServer(mechanism, (user) => credentials[user], KEY, nonce)
}

function failure(fn: () => unknown): SaslFailure {
  try {
    fn()
  } catch (err) {
    if (err instanceof SaslFailure) return err
    throw err
  }
  throw new Error('expected a SaslFailure')
}

describe('ScramServer', () => {
  it("reproduces RFC 7677's SCRAM-SHA-256 example exchange byte for byte", () => {
    // RFC 7677 section 3: user "user", password "pencil".
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
    const s = server({ user: credentialFromPassword('SCRAM-SHA-256', 'pencil', 4096, salt) }, 'SCRAM-SHA-256', () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0')
    const first = s.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'))
    expect(first.reply.toString()).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')
    const final = s.evaluate(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='))
    expect(final).toEqual({ reply: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), user: 'user' })
  })

  for (const [mechanism, hash] of [
    ['SCRAM-SHA-256', 'sha256'],
    ['SCRAM-SHA-512', 'sha512'],
  ] as const) {
    it(`authenticates the client of @tributary/client with ${mechanism}, escaped names included`, () => {
      const s = server({ 'a,b=c': credentialFromPassword(mechanism, 'päss wörd', 8192) }, mechanism)
      const client = new ScramMechanism(hash, 'a,b=c', 'päss wörd')
      const serverFirst = s.evaluate(client.start()).reply
      expect(serverFirst.toString()).toMatch(/,i=8192$/)
      const done = s.evaluate(client.next(serverFirst)!)
      expect(done.user).toBe('a,b=c')
      expect(client.next(done.reply)).toBeNull()
    })
  }

  it('fails a wrong password and an unknown user alike, and only at the proof', () => {
    const creds = { bob: credentialFromPassword('SCRAM-SHA-256', 'right') }
    const attempt = (user: string) => {
      const s = server(creds)
      const client = new ScramMechanism('sha256', user, 'wrong')
      const serverFirst = s.evaluate(client.start()).reply
      expect(serverFirst.toString()).toMatch(/^r=.+,s=.+,i=4096$/)
      return failure(() => s.evaluate(client.next(serverFirst)!))
    }
    const wrong = attempt('bob')
    const unknown = attempt('nobody')
    expect(wrong.message).toBe(unknown.message)
    expect([wrong.detail, unknown.detail]).toEqual(['wrong password', 'unknown user'])
    expect([wrong.user, unknown.user]).toEqual(['bob', 'nobody'])
    // An unknown user's made-up salt is stable, so probing twice does not tell it apart either.
    const salt = () => server(creds).evaluate(Buffer.from('n,,n=nobody,r=abc')).reply.toString().split(',')[1]
    expect(salt()).toBe(salt())
  })

  it('refuses channel binding, mandatory extensions, delegation tokens, another authorization id, and a foreign nonce', () => {
    const creds = { bob: credentialFromPassword('SCRAM-SHA-256', 'pw') }
    expect(failure(() => server(creds).evaluate(Buffer.from('p=tls-unique,,n=bob,r=abc'))).detail).toMatch(/channel binding/)
    expect(failure(() => server(creds).evaluate(Buffer.from('n,,m=ext,n=bob,r=abc'))).detail).toMatch(/m= extension/)
    expect(failure(() => server(creds).evaluate(Buffer.from('n,,n=bob,r=abc,tokenauth=true'))).detail).toMatch(/delegation-token/)
    expect(failure(() => server(creds).evaluate(Buffer.from('n,a=admin,n=bob,r=abc'))).message).toMatch(/authorization id "admin" differs/)
    expect(failure(() => server(creds).evaluate(Buffer.from('n,,n=b=ob,r=abc'))).detail).toMatch(/badly escaped/)
    const s = server(creds)
    s.evaluate(Buffer.from('n,a=bob,n=bob,r=abc'))
    expect(failure(() => s.evaluate(Buffer.from('c=biws,r=abcXYZ,p=AAAA'))).detail).toMatch(/channel binding does not repeat/)
    const t = server(creds)
    t.evaluate(Buffer.from('n,,n=bob,r=abc'))
    expect(failure(() => t.evaluate(Buffer.from('c=biws,r=abcXYZ,p=AAAA'))).detail).toMatch(/nonce does not end with/)
  })
})

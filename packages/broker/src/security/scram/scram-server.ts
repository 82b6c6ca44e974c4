import { randomBytes, timingSafeEqual } from 'node:crypto'
import { SaslFailure, type SaslServer, type SaslStep } from '../sasl/mechanism.js'
import { DEFAULT_ITERATIONS, SALT_BYTES, hash, hmac, type ScramCredential, type ScramMechanismName } from './credential.js'

/** What the client is told for any bad credential, so that it cannot tell unknown users from wrong passwords. */
const INVALID = (mechanism: string) => `Authentication failed: invalid credentials with SASL mechanism ${mechanism}`

/**
 * The server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) without channel binding,
 * as Kafka serves it:
 *
 * 1. client-first `n,[a=<authzid>],n=<user>,r=<client nonce>[,extensions]` → server-first
 *    `r=<client nonce + server nonce>,s=<salt>,i=<iterations>`;
 * 2. client-final `c=<base64 of the GS2 header>,r=<nonce>,p=<proof>` → the proof is checked
 *    against the stored key, and server-final `v=<server signature>` proves the server knows the
 *    credential. The exchange is then complete.
 *
 * An unknown user gets a made-up salt (stable per user name) and fails only at the proof, so
 * the exchange does not reveal which users exist. A channel-binding request (`p=`), the `m=`
 * extension, delegation-token authentication (`tokenauth`), an authorization id other than the
 * user, a wrong nonce or a wrong proof fail with {@link SaslFailure}.
 */
export class ScramServer implements SaslServer {
  private step: 'first' | 'final' | 'done' = 'first'
  private user = ''
  private gs2Header = ''
  private clientFirstBare = ''
  private serverFirst = ''
  private nonce = ''
  private credential: ScramCredential | undefined
  private known = false

  constructor(
    readonly mechanism: ScramMechanismName,
    private readonly lookup: (user: string) => ScramCredential | undefined,
    /** Keys the made-up salts of unknown users. */
    private readonly fakeSaltKey: Buffer,
    /** The server's part of the nonce; random unless a test fixes it. */
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64'),
  ) {}

  evaluate(message: Buffer): SaslStep {
    const text = message.toString('utf8')
    if (this.step === 'first') return this.onClientFirst(text)
    if (this.step === 'final') return this.onClientFinal(text)
    throw this.fail('the exchange is already complete', 'a message arrived after the SCRAM exchange completed')
  }

  private onClientFirst(text: string): SaslStep {
    const match = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text)
    if (!match) {
      const why = text.startsWith('p=') ? 'the client asked for channel binding, which is not offered' : 'malformed client-first message'
      throw this.fail(why, why)
    }
    this.gs2Header = `${match[1]},${match[2] ?? ''},`
    this.clientFirstBare = match[3]!
    const attrs = attributes(this.clientFirstBare)
    if (this.clientFirstBare.startsWith('m=')) throw this.fail('mandatory extensions are not supported', 'the client sent the m= extension')
    const user = attrs.get('n')
    const clientNonce = attrs.get('r')
    if (user === undefined || clientNonce === undefined || clientNonce === '' || !this.clientFirstBare.startsWith('n=')) {
      throw this.fail('malformed client-first message', 'the client-first message lacks n= or r=')
    }
    this.user = decodeSaslName(user) ?? ''
    if (this.user === '') throw this.fail('malformed user name', 'the user name is empty or badly escaped')
    const authzid = match[2] === undefined ? '' : decodeSaslName(match[2].slice(2))
    if (authzid !== '' && authzid !== this.user) throw this.fail(`authorization id ${JSON.stringify(authzid)} differs from the user name`, `the client asked to act as ${JSON.stringify(authzid)}`)
    if (attrs.get('tokenauth') === 'true') throw this.fail('delegation tokens are not supported', 'the client tried delegation-token authentication')

    this.credential = this.lookup(this.user)
    this.known = this.credential !== undefined
    const salt = this.credential?.salt ?? hmac(this.mechanism, this.fakeSaltKey, this.user).subarray(0, SALT_BYTES)
    const iterations = this.credential?.iterations ?? DEFAULT_ITERATIONS
    this.nonce = clientNonce + this.serverNonce()
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`
    this.step = 'final'
    return { reply: Buffer.from(this.serverFirst, 'utf8') }
  }

  private onClientFinal(text: string): SaslStep {
    const proofAt = text.lastIndexOf(',p=')
    if (proofAt < 0) throw this.fail('malformed client-final message', 'the client-final message has no proof')
    const withoutProof = text.slice(0, proofAt)
    const attrs = attributes(withoutProof)
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw this.fail('channel binding mismatch', 'the client-final channel binding does not repeat the GS2 header')
    }
    // RFC 5802 wants the nonce repeated exactly. librdkafka sends its own nonce again in front of
    // it; Kafka accepts any nonce that ends with the one it sent, and so does this broker. The
    // proof covers the message as sent, and the random part the server chose must still be there.
    const nonce = attrs.get('r')
    if (nonce === undefined || !nonce.endsWith(this.nonce)) throw this.fail('nonce mismatch', 'the client-final nonce does not end with the one the server sent')
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64')
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`
    const credential = this.credential
    if (!this.known || !credential) throw this.fail(INVALID(this.mechanism), 'unknown user', true)
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage)
    if (proof.length !== clientSignature.length) throw this.fail(INVALID(this.mechanism), 'wrong password (malformed proof)', true)
    const clientKey = Buffer.alloc(proof.length)
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!
    if (!timingSafeEqual(hash(this.mechanism, clientKey), credential.storedKey)) throw this.fail(INVALID(this.mechanism), 'wrong password', true)
    this.step = 'done'
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage)
    return { reply: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: this.user }
  }

  private fail(clientMessage: string, detail: string, credentials = false): SaslFailure {
    this.step = 'done'
    const message = credentials ? clientMessage : `Authentication failed: ${clientMessage} (${this.mechanism})`
    return new SaslFailure(message, detail, this.user === '' ? undefined : this.user)
  }
}

/** `k=v` attributes of a SCRAM message, by their one-letter (or extension) names. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1))
  }
  return out
}

/** Undoes RFC 5802's escaping of `,` (`=2C`) and `=` (`=3D`); undefined for any other `=`. */
function decodeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

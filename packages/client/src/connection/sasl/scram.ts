import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SaslMechanism } from './mechanism.js'

export type ScramHash = 'sha1' | 'sha256' | 'sha512'

const NAMES: Record<ScramHash, string> = { sha1: 'SCRAM-SHA-1', sha256: 'SCRAM-SHA-256', sha512: 'SCRAM-SHA-512' }
const KEY_LENGTHS: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 }

/** The fewest PBKDF2 iterations accepted from a server, as Kafka's own clients require (RFC 7677 recommends ≥ 4096). */
export const SCRAM_MIN_ITERATIONS = 4096

/**
 * The client side of SCRAM (RFC 5802, and RFC 7677 for SHA-256), without channel binding (`n,,`), as
 * Kafka uses it. Passwords are used as their UTF-8 bytes, as Kafka's Java implementation does (no SASLprep).
 *
 * 1. `start()`: client-first `n,,n=<user>,r=<client nonce>`.
 * 2. `next(server-first)`: checks that the server nonce extends ours and the iteration count, derives
 *    SaltedPassword with PBKDF2, and returns client-final `c=biws,r=<nonce>,p=<proof>`.
 * 3. `next(server-final)`: checks the server signature `v=…` (proving the server knows the credentials), or
 *    throws the server's `e=…` error; returns null.
 *
 * @example
 * ```ts
 * const scram = new ScramMechanism('sha256', 'alice', 'secret')
 * const clientFirst = scram.start()
 * ```
 */
export class ScramMechanism implements SaslMechanism {
  readonly name: string
  private readonly nonce: string
  private clientFirstBare = ''
  private expectedServerSignature: Buffer | undefined
  private step: 'initial' | 'sent-first' | 'sent-final' | 'done' = 'initial'

  constructor(
    private readonly hash: ScramHash,
    private readonly username: string,
    private readonly password: string,
    /** Fixed only in tests; normally 32 random bytes, base64. */
    nonce?: string,
  ) {
    this.name = NAMES[hash]
    this.nonce = nonce ?? randomBytes(32).toString('base64')
  }

  start(): Buffer {
    if (this.step !== 'initial') throw new Error(`${this.name}: the exchange has already started`)
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}`
    this.step = 'sent-first'
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8')
  }

  next(serverMessage: Buffer): Buffer | null {
    if (this.step === 'sent-first') return this.onServerFirst(serverMessage.toString('utf8'))
    if (this.step === 'sent-final') {
      this.onServerFinal(serverMessage.toString('utf8'))
      return null
    }
    throw new Error(`${this.name}: unexpected server message in state ${this.step}`)
  }

  private onServerFirst(serverFirst: string): Buffer {
    const attrs = parseAttributes(serverFirst)
    if (attrs.has('e')) throw new Error(`${this.name}: the server refused: ${attrs.get('e')}`)
    if (attrs.has('m')) throw new Error(`${this.name}: the server requires an extension this client does not support`)
    const nonce = attrs.get('r')
    const salt = attrs.get('s')
    const iterations = Number(attrs.get('i'))
    if (!nonce || !salt || !attrs.has('i')) throw new Error(`${this.name}: malformed server-first message (expected r=, s= and i=)`)
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new Error(`${this.name}: the server nonce does not extend the client nonce`)
    }
    if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS) {
      throw new Error(`${this.name}: the server asked for ${attrs.get('i')} iterations; at least ${SCRAM_MIN_ITERATIONS} are required`)
    }
    const salted = pbkdf2Sync(Buffer.from(this.password, 'utf8'), Buffer.from(salt, 'base64'), iterations, KEY_LENGTHS[this.hash], this.hash)
    const clientKey = this.hmac(salted, 'Client Key')
    const storedKey = createHash(this.hash).update(clientKey).digest()
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`
    const clientSignature = this.hmac(storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!
    this.expectedServerSignature = this.hmac(this.hmac(salted, 'Server Key'), authMessage)
    this.step = 'sent-final'
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8')
  }

  private onServerFinal(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal)
    if (attrs.has('e')) throw new Error(`${this.name}: the server rejected the proof: ${attrs.get('e')}`)
    const verifier = attrs.get('v')
    if (!verifier) throw new Error(`${this.name}: malformed server-final message (expected v=)`)
    const actual = Buffer.from(verifier, 'base64')
    const expected = this.expectedServerSignature!
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new Error(`${this.name}: the server signature is wrong; the server does not know the credentials`)
    }
    this.step = 'done'
  }

  private hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.hash, key).update(data, 'utf8').digest()
  }
}

/** A user name with `=` and `,` escaped as RFC 5802 requires. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) out.set(part[0]!, part.slice(2))
  }
  return out
}

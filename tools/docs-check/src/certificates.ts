// Throwaway TLS material for the `security` context, made as docs/security.md makes it.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

/** The commands of docs/security.md's "Throwaway certificates" block. */
const OPENSSL_SCRIPT = `
set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -subj /CN=dev-ca -days 30
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout broker.key -out broker.csr -subj /CN=localhost
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext
openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out broker.crt -days 30 -extfile san.ext
cat broker.key broker.crt > broker.pem
`

/** Writes ca.key, ca.crt, broker.key, broker.crt and broker.pem (key and certificate) into `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  await promisify(execFile)('bash', ['-c', OPENSSL_SCRIPT], { cwd: dir })
}

/** The passwords of the `security` context's SCRAM users, as environment variables. */
export function securityEnvironment(): { ADMIN_PASSWORD: string; ALICE_PASSWORD: string } {
  return { ADMIN_PASSWORD: `admin-${randomBytes(6).toString('hex')}`, ALICE_PASSWORD: `alice-${randomBytes(6).toString('hex')}` }
}

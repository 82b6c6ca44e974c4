// Kafka's customary ports in a sample stand for ports the test picks, so samples read naturally
// (`localhost:9092`) and still never collide with a broker already running on this machine.
import { createServer } from 'node:net'

/** The ports a sample may write as they are in production: each stands for a port picked by the test. */
export const DOC_PORTS = [9092, 9093, 9094] as const
export type DocPort = (typeof DOC_PORTS)[number]
export type PortMap = Record<DocPort, number>

const DOC_PORT = /(?<![\w.])(909[2-4])(?![\w])/g

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released before this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A free port for each of {@link DOC_PORTS}. */
export async function freePortMap(): Promise<PortMap> {
  const [a, b, c] = [await freePort(), await freePort(), await freePort()]
  return { 9092: a, 9093: b, 9094: c }
}

/** `text` with each of {@link DOC_PORTS} replaced by its port in `map`. */
export function mapPorts(text: string, map: PortMap): string {
  return text.replace(DOC_PORT, (port) => String(map[Number(port) as DocPort]))
}

/** The reverse of {@link mapPorts}: the ports of `map` written back as the documented ones (for output checks). */
export function unmapPorts(text: string, map: PortMap): string {
  let out = text
  for (const doc of DOC_PORTS) out = out.replace(new RegExp(`(?<![\\w.])${map[doc]}(?![\\w])`, 'g'), String(doc))
  return out
}

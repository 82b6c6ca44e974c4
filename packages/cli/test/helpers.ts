import { EventEmitter } from 'node:events'
import { connect } from 'node:net'
import { ApiVersionsApi, FrameSplitter, decodeResponseFrame, encodeRequestFrame, type ApiVersionsResponse } from '@tributary/protocol'
import type { CliContext } from '../src/index.js'

/** A {@link CliContext} that records output and lets the test send signals. */
export interface FakeContext extends CliContext {
  out: string[]
  err: string[]
  signals: EventEmitter
  exits: number[]
}

export function fakeContext(): FakeContext {
  const out: string[] = []
  const err: string[] = []
  const exits: number[] = []
  return {
    out,
    err,
    exits,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    signals: new EventEmitter(),
    exit: (code) => void exits.push(code),
  }
}

/** The `host:port` in "Tributary broker listening on host:port (...)". */
export function listeningAddress(output: string): { host: string; port: number } | undefined {
  const match = /listening on (\S+):(\d+) /.exec(output)
  return match ? { host: match[1]!, port: Number(match[2]) } : undefined
}

/** Sends a raw ApiVersions v3 request to `host:port` and resolves with the decoded response. */
export function apiVersions(host: string, port: number): Promise<ApiVersionsResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const splitter = new FrameSplitter()
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.write(encodeRequestFrame(ApiVersionsApi, 3, { correlationId: 42, clientId: 'cli-test' }, { clientSoftwareName: 'cli-test', clientSoftwareVersion: '1' }))
    })
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        socket.destroy()
        const { correlationId, body } = decodeResponseFrame(ApiVersionsApi, 3, frame)
        if (correlationId !== 42) reject(new Error(`answer to correlation id ${correlationId}, not 42`))
        else resolve(body)
      }
    })
  })
}

/** Polls `condition` every 10 ms until it holds, failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

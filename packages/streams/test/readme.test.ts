import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('README', () => {
  it('runs the opening example as written: each order counted once, the invalid one left out', async () => {
    const readme = readFileSync(`${root}/README.md`, 'utf8')
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!
    const file = `${root}/test/fixtures/readme-example.generated.ts`
    writeFileSync(file, example)
    try {
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.on('exit', (code) => {
          clearTimeout(timer)
          if (code === 0) resolve(out)
          else reject(new Error(`the example exited with ${code}: ${out}`))
        })
      })
      expect(output.trim().split('\n').sort()).toEqual(['alice {"orders":1,"total":30}', 'alice {"orders":2,"total":50}', 'bob {"orders":1,"total":12.5}'])
    } finally {
      rmSync(file, { force: true })
    }
  }, 40_000)
})

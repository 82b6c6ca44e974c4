import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// Builds the package, packs it as it would be published, installs the tarball into an empty folder
// and imports it from both module systems: what a user gets from `npm install @tributary/protocol`.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(join(tmpdir(), 'tributary-pack-'))
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('npm pack of @tributary/protocol', () => {
  it('installs into an empty folder and imports from ESM and CJS', () => {
    run('npx', ['tsup', '--silent'], packageDir)
    run('npm', ['pack', '--pack-destination', work], packageDir)
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
    expect(tarball).toBeDefined()
    const app = join(work, 'app')
    run('mkdir', ['-p', app], work)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!)], app)

    const probe = `const w = new m.Writer().compactString('ok'); console.log(new m.Reader(w.toBuffer()).compactString(), typeof m.FrameSplitter)`
    writeFileSync(join(app, 'esm.mjs'), `import * as m from '@tributary/protocol'\n${probe}\n`)
    writeFileSync(join(app, 'cjs.cjs'), `const m = require('@tributary/protocol')\n${probe}\n`)
    expect(run('node', ['esm.mjs'], app).trim()).toBe('ok function')
    expect(run('node', ['cjs.cjs'], app).trim()).toBe('ok function')
  }, 180_000)
})

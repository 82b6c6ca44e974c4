import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './paths.ts'
import { checkCommand, checkContext, type CheckState } from './shell-checks.ts'
import { simpleCommands } from './shell-lines.ts'

const context = checkContext()
const check = (text: string, state: CheckState = { cwd: REPO_ROOT }) => simpleCommands(text).flatMap((c) => checkCommand(c, state, context))

describe('checks of the commands the test does not run', () => {
  it('npm install: publishable workspace packages, and what they depend on', () => {
    expect(check('npm install @tributary/producer @tributary/consumer')).toEqual([])
    expect(check('npm install -g @tributary/cli')).toEqual([])
    expect(check('npm install @tributary/streams rxjs zod')).toEqual([])
    expect(check('npm install @tributary/nope')).toEqual(['npm install: @tributary/nope is not a package of this repository'])
    expect(check('npm install @tributary/testkit')).toEqual(['npm install: @tributary/testkit is private (not published)'])
    expect(check('npm install @tributary/producer left-pad')).toEqual(['npm install: left-pad is neither a dependency nor a peer dependency of @tributary/producer'])
  })

  it('npm run and npm test: the workspace has the script', () => {
    expect(check('npm install && npm run demo')).toEqual([])
    expect(check('npm test -w @tributary/docs-check')).toEqual([])
    expect(check('npm run bench -w @tributary/broker -- --only broker')).toEqual([])
    expect(check('npm run nope')).toEqual(['npm: package.json has no script "nope"'])
    expect(check('npm run bench -w @tributary/cli')).toEqual(['npm: @tributary/cli has no script "bench"'])
    expect(check('npm test -w @tributary/nope')).toEqual(['npm: no workspace @tributary/nope'])
    expect(check('TRIBUTARY_DEMO_BREAK=retention npm run demo')).toEqual([])
    expect(check('TRIBUTARY_NO_SUCH_VARIABLE=1 npm run demo')).toEqual(['TRIBUTARY_NO_SUCH_VARIABLE is not read by the sources of the repository'])
  })

  it('cd, npx vitest and npx tsc: relative to the directory the page went to', () => {
    const state: CheckState = { cwd: REPO_ROOT }
    expect(check('cd packages/broker', state)).toEqual([])
    expect(state.cwd).toBe(join(REPO_ROOT, 'packages', 'broker'))
    expect(check('npx tsc -p tsconfig.json && npx vitest run test/reliability*', state)).toEqual([])
    expect(check('npx vitest run test/no-such.test.ts', state)).toEqual(['vitest: no test file packages/broker/test/no-such.test.ts'])
    expect(check('TRIBUTARY_CRASH_LOOP_KILLS=100 npx vitest run test/reliability-crash-loop.test.ts', state)).toEqual([])
    expect(check('TRIBUTARY_NOPE=1 npx vitest run test/reliability-crash-loop.test.ts', state)).toEqual(['TRIBUTARY_NOPE is not read by the test files it runs'])
    expect(check('cd nowhere', state)).toEqual(['cd: packages/broker/nowhere is not a directory'])
  })

  it('node: the loader resolves, the script exists and reads the options given', () => {
    const state: CheckState = { cwd: join(REPO_ROOT, 'packages', 'broker') }
    expect(check('node --conditions=source --import tsx fuzz/run.ts --frames 100000 --seed 1 --json fuzz.json', state)).toEqual([])
    expect(check('node --import tsx fuzz/run.ts --nope 1', state)).toEqual(['node: fuzz/run.ts does not read --nope'])
    expect(check('node --import tsx fuzz/gone.ts', state)).toEqual(['node: no script packages/broker/fuzz/gone.ts'])
    expect(check('node --import no-such-loader fuzz/run.ts', state)).toEqual(['node: --import no-such-loader does not resolve from packages/broker'])
  })
})

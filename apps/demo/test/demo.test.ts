import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { STEPS } from '../src/steps/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Runs `npm run demo`'s command as a child process, the way a user would. */
function runDemo(env: Record<string, string> = {}): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/demo/src/main.ts'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output, ms: Date.now() - started }))
  })
}

describe('npm run demo', () => {
  it('runs every step, each check passing, in under a minute, and exits 0', async () => {
    const { code, output, ms } = await runDemo()
    if (code !== 0) console.log(output)
    expect(code).toBe(0)
    STEPS.forEach((step, i) => expect(output).toContain(`== Step ${i + 1}/${STEPS.length}: ${step.title}`))
    expect(output.match(/✓ check passed/g)).toHaveLength(STEPS.length)
    expect(output).toContain(`All ${STEPS.length} steps passed`)
    expect(output).not.toMatch(/\x1b\[/) // no colours when stdout is not a terminal
    expect(ms).toBeLessThan(60_000)
  })

  it('self-test: TRIBUTARY_DEMO_BREAK=<step> makes that step fail and the demo exit non-zero, naming it', async () => {
    const { code, output } = await runDemo({ TRIBUTARY_DEMO_BREAK: 'partitioning' })
    expect(code).toBe(1)
    expect(output).toMatch(/✗ check failed: .*TRIBUTARY_DEMO_BREAK/)
    expect(output).toContain('1 of')
    expect(output).toContain('steps failed: partitioning')
  })

  it('refuses a TRIBUTARY_DEMO_BREAK that names no step', async () => {
    const { code, output } = await runDemo({ TRIBUTARY_DEMO_BREAK: 'no-such-step' })
    expect(code).toBe(2)
    expect(output).toContain('names no step')
  })
})

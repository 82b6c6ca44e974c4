// `npm run demo`: starts an embedded broker in a temporary directory and walks through Tributary,
// one narrated, self-checking step at a time. Exits non-zero if any step's check fails.
//
// Self-test: TRIBUTARY_DEMO_BREAK=<step id> inverts that step's first check, so the demo must fail
// there and exit non-zero (the demo's test does this to prove the checks are checked).
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Checker } from './check.js'
import { DemoContext, launch } from './context.js'
import { bold, concept, dim, failed, green, heading, passed, red } from './narrate.js'
import { STEPS } from './steps/index.js'

/** A step that takes longer than this fails instead of hanging the demo. */
const STEP_TIMEOUT_MS = 30_000

function withTimeout<T>(work: Promise<T>, ms: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step "${id}" did not finish within ${ms / 1000} s`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

async function main(): Promise<number> {
  const broken = process.env.TRIBUTARY_DEMO_BREAK || undefined
  if (broken !== undefined && !STEPS.some((s) => s.id === broken)) {
    console.error(`TRIBUTARY_DEMO_BREAK=${broken} names no step; steps are: ${STEPS.map((s) => s.id).join(', ')}`)
    return 2
  }
  const started = Date.now()
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-demo-'))
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      rmSync(dataDir, { recursive: true, force: true })
      console.log(red(`\nInterrupted (${signal}); temporary data removed`))
      process.exit(130)
    })
  console.log(bold('Tributary demo: a Kafka-compatible broker and clients, in one process'))
  let ctx: DemoContext | undefined
  const failures: string[] = []
  try {
    ctx = new DemoContext(await launch(dataDir), dataDir)
    console.log(dim(`Embedded broker listening on ${ctx.bootstrapServers}, data in ${dataDir}`))
    for (const [i, step] of STEPS.entries()) {
      heading(i + 1, STEPS.length, step.title)
      concept(step.concept)
      ctx.check = new Checker(step.id === broken)
      const t0 = Date.now()
      try {
        await withTimeout(step.run(ctx), STEP_TIMEOUT_MS, step.id)
        passed(Date.now() - t0)
      } catch (err) {
        failed(err instanceof Error ? err.message : String(err))
        if (!(err instanceof Error && err.name === 'DemoCheckError') && err instanceof Error && err.stack) console.log(dim(err.stack))
        failures.push(step.id)
      }
    }
  } finally {
    await ctx?.broker.close().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (failures.length > 0) {
    console.log(`\n${red(bold(`${failures.length} of ${STEPS.length} steps failed: ${failures.join(', ')}`))} ${dim(`(${seconds} s)`)}`)
    return 1
  }
  console.log(`\n${green(bold(`All ${STEPS.length} steps passed`))} ${dim(`in ${seconds} s; temporary data removed`)}`)
  return 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(red(`The demo could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
    process.exit(1)
  },
)

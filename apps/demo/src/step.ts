import type { DemoContext } from './context.js'

/** One step of the walkthrough: its own file under `steps/`, checking its own result. */
export interface Step {
  /** The name `TRIBUTARY_DEMO_BREAK` takes to break this step's check (self-test). */
  id: string
  title: string
  /** One sentence: the Kafka concept the step shows. */
  concept: string
  /** Runs the step, narrating what it observes; throws a `DemoCheckError` when a check fails. */
  run(ctx: DemoContext): Promise<void>
}

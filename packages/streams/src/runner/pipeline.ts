import { Subject, type Observable, type Subscription } from 'rxjs'
import { StreamsError } from '../errors.js'
import type { OutputRecord } from '../record.js'
import { buildWithin, type StreamsContext } from '../state/streams-context.js'

/**
 * The user's pipeline inside a runner: an input Subject the runner feeds record by record, the
 * Observable `process` builds from it, and a subscription that hands every output to `sink`. An error
 * (or completion) of the pipeline marks it failed; the runner then rewinds and builds it anew.
 */
export class Pipeline<In> {
  private input = new Subject<In>()
  private subscription: Subscription | undefined
  /** Set when the pipeline errored or completed; cleared by {@link build}. */
  failure: { error: unknown } | undefined

  constructor(
    private readonly process: (records: Observable<In>) => Observable<OutputRecord>,
    private readonly context: StreamsContext & { beginBuild(): void },
    private readonly sink: (output: OutputRecord) => void,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** (Re)builds the pipeline: tears the old one down and subscribes to a new one. */
  build(): void {
    this.subscription?.unsubscribe()
    this.failure = undefined
    this.input = new Subject<In>()
    this.context.beginBuild()
    buildWithin(this.context, () => {
      let output: Observable<OutputRecord>
      try {
        output = this.process(this.input.asObservable())
      } catch (err) {
        this.fail(err)
        return
      }
      this.subscription = output.subscribe({
        next: (record) => {
          try {
            this.sink(record)
          } catch (err) {
            this.fail(err)
          }
        },
        error: (err: unknown) => this.fail(err),
        complete: () => this.fail(new StreamsError(`The pipeline of ${this.context.application} completed while input keeps arriving; process() must return an Observable that stays open`, 'PIPELINE_COMPLETED')),
      })
    })
  }

  /** Hands one input record to the pipeline. */
  feed(record: In): void {
    this.input.next(record)
  }

  close(): void {
    this.subscription?.unsubscribe()
    this.subscription = undefined
  }

  private fail(error: unknown): void {
    if (this.failure) return
    this.failure = { error }
    this.onFailure(error)
  }
}

import type { Logger } from '@tributary/client'
import type { KafkaError } from '@tributary/protocol'
import type { ResolvedProducerOptions } from './options.js'
import type { ProducerKey, ProducerRecord, ProducerValue, RecordMetadata } from './record.js'

/**
 * Hooks into every record a producer sends, as Kafka's ProducerInterceptor. Interceptors run in the
 * order given. One that throws (or returns something that is not a record from `onSend`) is logged and
 * skipped: sending carries on with the record as it was before that interceptor.
 *
 * Every record that went through `onSend` gets exactly one `onAcknowledgement`: with its metadata once
 * the broker acknowledged it, or with the error that made it fail (then `metadata` is undefined).
 * Acknowledgement hooks run on the producer's hot path: keep them quick.
 *
 * @example
 * ```ts
 * const charging: ProducerInterceptor = {
 *   onSend: (record) => { billing.reserve(record.topic); return record },
 *   onAcknowledgement: (metadata, error) => (error ? billing.release() : billing.confirm(metadata!.topic)),
 * }
 * const producer = new Producer({ bootstrapServers, interceptors: [charging] })
 * ```
 */
export interface ProducerInterceptor<K = ProducerKey, V = ProducerValue> {
  /** Called once, when the producer is constructed, with its resolved options. */
  configure?(config: Readonly<ResolvedProducerOptions>): void
  /** Called by `send` before serialization and partitioning; returns the record to send (possibly changed). */
  onSend?(record: ProducerRecord<K, V>): ProducerRecord<K, V>
  /** Called once per record when it was acknowledged (metadata) or failed (error). */
  onAcknowledgement?(metadata: RecordMetadata | undefined, error: KafkaError | undefined): void
  /** Called when the producer closes. */
  close?(): void | Promise<void>
}

/** The configured interceptors, called in order, each failure logged and skipped. */
export class InterceptorChain<K, V> {
  readonly hasAcknowledgementHooks: boolean
  readonly hasSendHooks: boolean

  constructor(
    private readonly interceptors: readonly ProducerInterceptor<K, V>[],
    private readonly logger: Logger,
  ) {
    this.hasSendHooks = interceptors.some((i) => i.onSend !== undefined)
    this.hasAcknowledgementHooks = interceptors.some((i) => i.onAcknowledgement !== undefined)
  }

  get isEmpty(): boolean {
    return this.interceptors.length === 0
  }

  configure(config: Readonly<ResolvedProducerOptions>): void {
    this.interceptors.forEach((interceptor, i) => {
      if (!interceptor.configure) return
      try {
        interceptor.configure(config)
      } catch (err) {
        this.failed(i, 'configure', err)
      }
    })
  }

  onSend(record: ProducerRecord<K, V>): ProducerRecord<K, V> {
    let current = record
    for (let i = 0; i < this.interceptors.length; i++) {
      const hook = this.interceptors[i]!.onSend
      if (!hook) continue
      try {
        const next = hook.call(this.interceptors[i], current)
        if (typeof next !== 'object' || next === null || typeof (next as ProducerRecord<K, V>).topic !== 'string') {
          this.failed(i, 'onSend', new TypeError(`onSend returned ${next === null ? 'null' : typeof next} instead of a record`))
          continue
        }
        current = next
      } catch (err) {
        this.failed(i, 'onSend', err)
      }
    }
    return current
  }

  onAcknowledgement(metadata: RecordMetadata | undefined, error: KafkaError | undefined): void {
    for (let i = 0; i < this.interceptors.length; i++) {
      const hook = this.interceptors[i]!.onAcknowledgement
      if (!hook) continue
      try {
        hook.call(this.interceptors[i], metadata, error)
      } catch (err) {
        this.failed(i, 'onAcknowledgement', err)
      }
    }
  }

  async close(): Promise<void> {
    for (let i = 0; i < this.interceptors.length; i++) {
      const interceptor = this.interceptors[i]!
      if (!interceptor.close) continue
      try {
        await interceptor.close()
      } catch (err) {
        this.failed(i, 'close', err)
      }
    }
  }

  private failed(index: number, hook: string, err: unknown): void {
    this.logger.warn(`Producer interceptor #${index} threw in ${hook}; skipping it for this call`, { error: err instanceof Error ? err.message : String(err) })
  }
}

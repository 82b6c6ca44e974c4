import type { ClientOptions } from '@tributary/client'
import type { ProducerRecord } from '@tributary/producer'
import { StreamsError } from '../errors.js'
import { KeyValueStore } from '../state/key-value-store.js'
import { LogReader } from '../state/log-reader.js'
import type { PartitionedStore } from '../state/streams-context.js'

interface NamedStore {
  name: string
  operator: string
  changelog: string
  partitions: Map<number, KeyValueStore<unknown>>
}

/**
 * A runner's state stores: registered by name when the pipeline is built, partitioned like the input
 * (store partition N holds the state of input partition N and is backed by partition N of the
 * changelog topic `<application>-<store>-changelog`), restored from the changelog when an input
 * partition is assigned, dropped when it is revoked.
 */
export class StoreRegistry {
  private readonly stores = new Map<string, NamedStore>()
  private readonly usedInBuild = new Set<string>()
  private frozen = false

  constructor(private readonly application: string) {}

  /** A new build of the pipeline begins: every store may be registered (once) again. */
  beginBuild(): void {
    this.usedInBuild.clear()
  }

  /** No new store names from now on (changelog topics have been created and partitions restored). */
  freeze(): void {
    this.frozen = true
  }

  register<V>(name: string, operator: string): PartitionedStore<V> {
    if (this.usedInBuild.has(name)) throw new StreamsError(`Two operators of ${this.application} use the store "${name}"; give each its own store name`, 'STORE_CONFLICT')
    let store = this.stores.get(name)
    if (!store) {
      if (this.frozen) throw new StreamsError(`The store "${name}" (${operator}) appeared after ${this.application} started; stateful operators must be part of the pipeline from the start`, 'STORE_CONFLICT')
      store = { name, operator, changelog: `${this.application}-${name}-changelog`, partitions: new Map() }
      this.stores.set(name, store)
    }
    this.usedInBuild.add(name)
    const named = store
    return {
      forPartition: (partition) => {
        const p = named.partitions.get(partition)
        if (!p) throw new StreamsError(`The store "${name}" has no partition ${partition}: the input partition is not owned by this instance`, 'STORE_CONFLICT')
        return p as KeyValueStore<V>
      },
    }
  }

  /** The changelog topic of every store. */
  changelogTopics(): string[] {
    return [...this.stores.values()].map((s) => s.changelog)
  }

  /**
   * Restores the store partitions `partitions` of every store from their changelogs (read to the end,
   * read_committed) and installs them, replacing what was there. Resolves with the records read.
   */
  async restore(partitions: readonly number[], client: ClientOptions, signal?: AbortSignal): Promise<number> {
    if (partitions.length === 0 || this.stores.size === 0) return 0
    const fresh = new Map<string, KeyValueStore<unknown>>()
    const targets = []
    for (const store of this.stores.values()) {
      for (const partition of partitions) {
        fresh.set(`${store.changelog}:${partition}`, new KeyValueStore(store.name, partition))
        targets.push({ topic: store.changelog, partition })
      }
    }
    let records = 0
    await LogReader.open({
      client,
      partitions: targets,
      follow: false,
      signal,
      onRecords: (topic, partition, batch) => {
        const store = fresh.get(`${topic}:${partition}`)!
        for (const r of batch) if (r.key) store.restore(r.key, r.value)
        records += batch.length
      },
    })
    for (const store of this.stores.values()) {
      for (const partition of partitions) store.partitions.set(partition, fresh.get(`${store.changelog}:${partition}`)!)
    }
    return records
  }

  /** Forgets the store partitions `partitions` (their input partitions were revoked). */
  drop(partitions: readonly number[]): void {
    for (const store of this.stores.values()) for (const p of partitions) store.partitions.delete(p)
  }

  /** The store partitions held now. */
  heldPartitions(): number[] {
    const first = this.stores.values().next()
    return first.done ? [] : [...first.value.partitions.keys()]
  }

  /** Changelog records for everything changed since the last commit. */
  changelogRecords(): ProducerRecord<Buffer | null, Buffer | null>[] {
    const out: ProducerRecord<Buffer | null, Buffer | null>[] = []
    for (const store of this.stores.values()) {
      for (const [partition, kv] of store.partitions) {
        if (!kv.dirty) continue
        for (const change of kv.changes()) out.push({ topic: store.changelog, partition, key: change.key, value: change.value })
      }
    }
    return out
  }

  /** The changes were committed. */
  commit(): void {
    for (const store of this.stores.values()) for (const kv of store.partitions.values()) kv.commit()
  }

  /** Puts every store partition back to its last committed state. */
  rollback(): void {
    for (const store of this.stores.values()) for (const kv of store.partitions.values()) kv.rollback()
  }
}

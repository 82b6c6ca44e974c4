import { Admin, type ClientOptions, type Logger } from '@tributary/client'
import { mapKeyOf } from '../state/codec.js'
import { LogReader } from '../state/log-reader.js'
import type { MaterializedTable } from '../state/streams-context.js'
import { decodeRecord } from '../topics/decode-record.js'
import type { TopicTable } from '../tables/topic-table.js'

interface Held {
  table: TopicTable<unknown, unknown>
  data: Map<string, unknown>
}

/**
 * The topic tables of a runner: every partition of each table topic read to its end before processing
 * starts, then followed as it changes. A record without a value (a tombstone) deletes its key;
 * records that cannot be decoded are skipped with a warning.
 */
export class TableMaterializer {
  private readonly tables = new Map<string, Held>()
  private reader: LogReader | undefined

  constructor(private readonly logger: Logger) {}

  register<V>(table: TopicTable<unknown, V>): MaterializedTable<V> {
    let held = this.tables.get(table.topic.name)
    if (!held) this.tables.set(table.topic.name, (held = { table: table as TopicTable<unknown, unknown>, data: new Map() }))
    const data = held.data
    return { get: (key) => data.get(mapKeyOf(key)) as V | undefined }
  }

  get size(): number {
    return this.tables.size
  }

  /** Loads every table and keeps following them; `signal` abandons the loading (the promise rejects). */
  async start(client: ClientOptions, signal?: AbortSignal): Promise<void> {
    if (this.tables.size === 0) return
    const admin = new Admin(client)
    let partitions
    try {
      const described = await admin.describeTopics([...this.tables.keys()], { signal })
      partitions = described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })))
    } finally {
      await admin.close()
    }
    this.reader = await LogReader.open({
      client,
      partitions,
      follow: true,
      signal,
      onRecords: (topic, _partition, records) => {
        const held = this.tables.get(topic)!
        for (const raw of records) {
          try {
            if (raw.value === null) {
              held.data.delete(mapKeyOf(held.table.topic.keySerde.deserialize(raw.key, { topic, partition: raw.partition, offset: raw.offset, headers: {} })))
              continue
            }
            const r = decodeRecord(held.table.topic, raw)
            if (r.value === null || r.value === undefined) held.data.delete(mapKeyOf(r.key))
            else held.data.set(mapKeyOf(r.key), r.value)
          } catch (err) {
            this.logger.warn(`Skipping table record ${raw.topic}-${raw.partition}@${raw.offset}: ${(err as Error).message}`)
          }
        }
      },
    })
  }

  async close(): Promise<void> {
    await this.reader?.close()
  }
}

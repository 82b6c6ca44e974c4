import type { StreamsContext } from '../state/streams-context.js'
import type { TopicTable } from '../tables/topic-table.js'
import type { StreamsMetrics } from './events.js'
import type { StoreRegistry } from './store-registry.js'
import type { TableMaterializer } from './table-materializer.js'

/** The {@link StreamsContext} a runner gives its pipeline's operators. */
export class RunnerContext implements StreamsContext {
  constructor(
    readonly application: string,
    private readonly stores: StoreRegistry,
    private readonly tables: TableMaterializer,
    private readonly metrics: StreamsMetrics,
  ) {}

  store<V>(name: string, operator: string) {
    return this.stores.register<V>(name, operator)
  }

  table<V>(table: TopicTable<unknown, V>) {
    return this.tables.register(table)
  }

  /** A new build of the pipeline begins. */
  beginBuild(): void {
    this.stores.beginBuild()
  }

  lateRecords(_store: string, count: number): void {
    this.metrics.lateRecords += count
  }
}

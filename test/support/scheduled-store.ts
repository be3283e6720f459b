// A store whose every query result waits for a fast-check scheduler, to interleave transactions on purpose.
import type fc from 'fast-check';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Store } from '../../src/store/index.js';
import { createStore } from '../../src/store/shared/create-store.js';

/** Makes every query of one transaction wait for the scheduler before its result is seen. */
class ScheduledQueries implements KyselyPlugin {
  constructor(
    private readonly scheduler: fc.Scheduler,
    private readonly label: string,
  ) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    await this.scheduler.schedule(Promise.resolve(), this.label);
    return args.result;
  }
}

/** The same database, each query labelled and released only when the scheduler says so. */
export const scheduledStore = (store: Store, scheduler: fc.Scheduler, label: string): Store =>
  createStore({
    dialect: store.dialect,
    db: store.db.withPlugin(new ScheduledQueries(scheduler, label)),
    readinessChecks: [],
  });

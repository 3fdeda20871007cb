// What every resolver gets: the database, who is asking, and this request's loaders.
import type { Db, RegistryDatabase, StatementTally } from '../db/client.js';
import type { EventHub } from '../events/event-hub.js';
import type { Permissions } from '../auth/permissions.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface RegistryContext {
  /** The database, through a handle that counts this request's statements into `statements`. */
  database: RegistryDatabase;
  statements: StatementTally;
  /** The caller: its identity, what it may do, and the actor name recorded on its changes. */
  actor: Permissions;
  events: EventHub;
  /** Request-scoped DataLoaders; uncached for subscriptions (see `forSubscription`). */
  loaders: Loaders;
  /** How the request arrived: 'http' (queries, mutations, SSE) or 'ws'. */
  transport: 'http' | 'ws';
  /** Switches to loaders without a cache: a long-lived subscription must not serve stale rows. */
  forSubscription(this: RegistryContext): void;
}

export interface ServerServices {
  database: RegistryDatabase;
  events: EventHub;
}

export function createContext(services: ServerServices, actorFor: (db: Db) => Permissions, transport: 'http' | 'ws' = 'http'): RegistryContext {
  const statements: StatementTally = { statements: 0 };
  const database: RegistryDatabase = {
    ...services.database,
    db: services.database.counting(statements),
    // A change that appended events is announced once committed (EventHub.changeCommitted).
    transaction: async (work, options = {}) => {
      let appended = false;
      const last = options.last && ((value: Parameters<typeof options.last>[0]) => {
        const statement = options.last!(value);
        appended = statement != null;
        return statement;
      });
      const committed = await services.database.transaction(work, { ...options, last, tally: statements });
      if (appended) services.events.changeCommitted();
      return committed;
    },
  };
  const context: RegistryContext = {
    database,
    statements,
    events: services.events,
    actor: actorFor(database.db),
    transport,
    loaders: createLoaders(database.db),
    // `this`, not the closure: the server may hand resolvers a copy of this object.
    forSubscription(this: RegistryContext) {
      this.loaders = createLoaders(database.db, { cache: false });
    },
  };
  return context;
}

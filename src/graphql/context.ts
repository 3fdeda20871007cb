// What every resolver gets: the database, who is asking, and this request's loaders.
import type { RegistryDatabase } from '../db/client.js';
import type { EventHub } from '../events/event-hub.js';
import type { Permissions } from '../auth/permissions.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface RegistryContext {
  database: RegistryDatabase;
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

export function createContext(services: ServerServices, actor: Permissions, transport: 'http' | 'ws' = 'http'): RegistryContext {
  const context: RegistryContext = {
    database: services.database,
    events: services.events,
    actor,
    transport,
    loaders: createLoaders(services.database.db),
    // `this`, not the closure: the server may hand resolvers a copy of this object.
    forSubscription(this: RegistryContext) {
      this.loaders = createLoaders(services.database.db, { cache: false });
    },
  };
  return context;
}

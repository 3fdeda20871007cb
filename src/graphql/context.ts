// What every resolver gets: the database, who is asking, and this request's loaders.
import type { RegistryDatabase } from '../db/client.js';
import type { EventHub } from '../events/event-hub.js';
import type { Actor } from '../registry/transaction.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface RegistryContext {
  database: RegistryDatabase;
  actor: Actor;
  events: EventHub;
  /** Request-scoped; subscriptions renew them per event so no event sees stale data. */
  loaders: Loaders;
  renewLoaders(): void;
}

export interface ServerServices {
  database: RegistryDatabase;
  events: EventHub;
}

export function createContext(services: ServerServices, actor: Actor): RegistryContext {
  const context: RegistryContext = {
    database: services.database,
    events: services.events,
    actor,
    loaders: createLoaders(services.database.db),
    renewLoaders() {
      context.loaders = createLoaders(services.database.db);
    },
  };
  return context;
}

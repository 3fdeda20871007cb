// Every registry mutation runs here: one transaction holding the change and its events.
import type { Db, RegistryDatabase } from '../db/client.js';
import { appendEventsStatement, type PendingEvent, transitionIdsOf } from '../events/event-log.js';

/** Who is asking and what they may do; their name is the actor of every event they cause. */
export interface Actor {
  readonly name: string | null;
  /** Throws PermissionDeniedError unless the actor has `needed` on the model. */
  require(modelId: number, modelName: string, needed: 'READ' | 'EDIT' | 'PROMOTE' | 'MANAGE', tx?: Db): Promise<void>;
  /** For actions on no existing model: throws unless the actor's role grants `needed`. */
  requireRole(needed: 'EDIT', what: string): void;
}

export class Change {
  readonly events: PendingEvent[] = [];
  constructor(
    readonly tx: Db,
    readonly actor: Actor,
  ) {}

  record(event: PendingEvent): void {
    this.events.push(event);
  }
}

export interface Committed<T> {
  value: T;
  /** Ids of the StageTransition records written, in the order their events were recorded (read after commit, when positions exist). */
  transitionIds: number[];
}

/**
 * Runs `work` in one transaction and appends the events it recorded as its last statement; the
 * commit numbers them. A thrown error rolls back the change together with its events.
 */
export async function runChange<T>(database: RegistryDatabase, actor: Actor, work: (change: Change) => Promise<T>): Promise<Committed<T>> {
  const { value, rows } = await database.transaction<{ value: T; change: Change }, { id: string }>(
    async (tx) => {
      const change = new Change(tx, actor);
      return { value: await work(change), change };
    },
    { last: ({ change }) => appendEventsStatement(change.events, actor.name) },
  );
  return { value: value.value, transitionIds: transitionIdsOf(rows) };
}

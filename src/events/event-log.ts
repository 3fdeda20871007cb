// Appends a mutation's events to the durable log inside the mutation's own transaction.
import { type SQL, sql } from 'drizzle-orm';
import type { Stage } from '../registry/types.js';

export type RegistryEventType =
  | 'MODEL_CREATED'
  | 'MODEL_UPDATED'
  | 'MODEL_RENAMED'
  | 'MODEL_DELETED'
  | 'VERSION_CREATED'
  | 'VERSION_UPDATED'
  | 'VERSION_DELETED'
  | 'STAGE_CHANGED'
  | 'TAG_SET'
  | 'TAG_DELETED'
  | 'METRICS_LOGGED'
  | 'ALIAS_SET'
  | 'ALIAS_DELETED';

export const REGISTRY_EVENT_TYPES: readonly RegistryEventType[] = [
  'MODEL_CREATED',
  'MODEL_UPDATED',
  'MODEL_RENAMED',
  'MODEL_DELETED',
  'VERSION_CREATED',
  'VERSION_UPDATED',
  'VERSION_DELETED',
  'STAGE_CHANGED',
  'TAG_SET',
  'TAG_DELETED',
  'METRICS_LOGGED',
  'ALIAS_SET',
  'ALIAS_DELETED',
];

export interface PendingEvent {
  type: RegistryEventType;
  modelId: number;
  modelName: string;
  versionId?: number | null;
  version?: number | null;
  /** For STAGE_CHANGED: the change, stored as a StageTransition. */
  transition?: { fromStage: Stage; toStage: Stage; comment: string | null };
}

/** The channel every instance listens on; the payload is the newest committed position. */
export const EVENTS_CHANNEL = 'registry_events';

/** Tells every listening instance the newest committed position (see commit-announcer.ts). */
export function announceStatement(): SQL {
  return sql`SELECT pg_notify(${EVENTS_CHANNEL}, last_position::text) FROM registry_event_counter WHERE id = 1`;
}

/**
 * The statement that hands a change's events to the log, run last in the change's transaction
 * (null when there are none). They wait in pending_event_batches, and a deferred trigger
 * (drizzle/0004, queued fairly since 0005) appends them at commit, numbered under the event
 * counter's lock: the lock every writer queues on is held for the commit alone, never across a
 * round trip to this process. The server announces them once committed (EventHub.changeCommitted).
 * Its rows are the ids of the stage transitions it will write, in recording order (drawn now, so
 * the mutation can name the records it wrote); their positions exist once committed.
 */
export function appendEventsStatement(events: PendingEvent[], actor: string | null): SQL | null {
  if (events.length === 0) return null;
  const input = JSON.stringify(
    events.map((event, i) => ({
      n: i + 1,
      type: event.type,
      model_id: event.modelId,
      model_name: event.modelName,
      version_id: event.versionId ?? null,
      version: event.version ?? null,
      from_stage: event.transition?.fromStage ?? null,
      to_stage: event.transition?.toStage ?? null,
      comment: event.transition?.comment ?? null,
    })),
  );
  return sql`WITH input AS MATERIALIZED (
      SELECT a.e, a.n, CASE WHEN a.e->>'to_stage' IS NOT NULL THEN nextval('stage_transitions_id_seq') END AS transition_id
      FROM json_array_elements(${input}::json) WITH ORDINALITY AS a(e, n)
    ), batch AS (
      INSERT INTO pending_event_batches (events, actor)
      SELECT json_agg((input.e::jsonb || jsonb_build_object('transition_id', input.transition_id))::json ORDER BY input.n), ${actor}::text FROM input
    )
    SELECT transition_id AS id FROM input WHERE transition_id IS NOT NULL ORDER BY n`;
}

/** The transition ids in the rows of appendEventsStatement. */
export function transitionIdsOf(rows: { id: number | string }[]): number[] {
  return rows.map((r) => Number(r.id));
}

// Appends a mutation's events to the durable log inside the mutation's own transaction.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import type { Stage, StageTransitionRecord } from '../registry/types.js';

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

/**
 * Takes positions from the counter row, whose lock is held until this transaction commits:
 * a later writer waits here, so positions follow commit order and a rolled-back writer leaves
 * no gap. Callers take this lock last (after the model row), so writers never deadlock.
 *
 * Every writer queues on that lock, so the time it is held bounds the registry's write rate:
 * positions, stage transitions, events and the notification are one statement (one round
 * trip), and only the commit follows it.
 */
export async function appendEvents(tx: Db, events: PendingEvent[], actor: string | null): Promise<StageTransitionRecord[]> {
  if (events.length === 0) return [];
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
  const [row] = rowsOf<{ transitions: StageTransitionRecord[] }>(
    await tx.execute(sql`WITH counter AS (
        UPDATE registry_event_counter SET last_position = last_position + ${events.length} WHERE id = 1
        RETURNING last_position - ${events.length} AS before, last_position
      ), input AS (
        SELECT counter.before + e.n AS position, e.* FROM counter, json_to_recordset(${input}::json)
          AS e(n int, type text, model_id int, model_name text, version_id int, version int, from_stage stage, to_stage stage, comment text)
      ), transitions AS (
        INSERT INTO stage_transitions (position, model_id, version_id, model_name, version, from_stage, to_stage, comment, actor)
        SELECT position, model_id, version_id, model_name, version, from_stage, to_stage, comment, ${actor}::text FROM input WHERE to_stage IS NOT NULL
        RETURNING id, position, model_id AS "modelId", version_id AS "versionId", model_name AS "modelName", version,
          from_stage AS "fromStage", to_stage AS "toStage", comment, actor, created_at AS "createdAt"
      ), appended AS (
        INSERT INTO registry_events (position, type, model_id, model_name, version_id, version, transition_id, actor)
        SELECT i.position, i.type, i.model_id, i.model_name, i.version_id, i.version, t.id, ${actor}::text
        FROM input i LEFT JOIN transitions t ON t.position = i.position
      )
      -- Delivered to listeners only when this transaction commits, and never if it rolls back.
      SELECT (SELECT coalesce(json_agg(t ORDER BY t.position), '[]'::json) FROM transitions t) AS transitions,
        pg_notify(${EVENTS_CHANNEL}, last_position::text)
      FROM counter`),
  );
  return row.transitions.map((t) => ({ ...t, createdAt: new Date(t.createdAt) }));
}

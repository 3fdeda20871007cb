// Appends a mutation's events to the durable log inside the mutation's own transaction.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { registryEventCounter, registryEvents, stageTransitions } from '../db/schema.js';
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
 */
export async function appendEvents(tx: Db, events: PendingEvent[], actor: string | null): Promise<StageTransitionRecord[]> {
  if (events.length === 0) return [];
  const [counter] = await tx
    .update(registryEventCounter)
    .set({ lastPosition: sql`${registryEventCounter.lastPosition} + ${events.length}` })
    .where(eq(registryEventCounter.id, 1))
    .returning({ lastPosition: registryEventCounter.lastPosition });
  const first = Number(counter.lastPosition) - events.length + 1;

  const changes = events.flatMap((event, i) => (event.transition ? [{ event, position: first + i }] : []));
  const transitions = changes.length
    ? await tx
        .insert(stageTransitions)
        .values(
          changes.map(({ event, position }) => ({
            position,
            modelId: event.modelId,
            versionId: event.versionId ?? null,
            modelName: event.modelName,
            version: event.version!,
            fromStage: event.transition!.fromStage,
            toStage: event.transition!.toStage,
            comment: event.transition!.comment,
            actor,
          })),
        )
        .returning()
    : [];
  transitions.sort((a, b) => a.position - b.position);
  const transitionAt = new Map(transitions.map((t) => [t.position, t.id]));

  await tx.insert(registryEvents).values(
    events.map((event, i) => ({
      position: first + i,
      type: event.type,
      modelId: event.modelId,
      modelName: event.modelName,
      versionId: event.versionId ?? null,
      version: event.version ?? null,
      transitionId: transitionAt.get(first + i) ?? null,
      actor,
    })),
  );
  // Delivered to listeners only when this transaction commits, and never if it rolls back.
  await tx.execute(sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(first + events.length - 1)})`);
  return transitions;
}

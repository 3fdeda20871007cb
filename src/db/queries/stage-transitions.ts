// Reads of the stage history: registry-wide pages and each version's history, oldest first.
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Stage, StageTransitionRecord } from '../../registry/types.js';
import { type Db, rowsOf } from '../client.js';
import { stageTransitions } from '../schema.js';
import { anyOf, noneOf } from './batch.js';
import { checkFilterText } from './filters.js';
import { cursorScope, encodeCursor, keysetClauses, type Page, type PageArgs, type PagePlan, planPage, toPage } from './keyset.js';

export interface StageTransitionFilter {
  name?: string | null;
  toStages?: Stage[] | null;
}

function filterCondition(filter: StageTransitionFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  return and(
    filter.name != null ? eq(stageTransitions.modelName, checkFilterText(filter.name, 'filter.name')) : undefined,
    // An empty list matches nothing: inArray gives `false` (an impossible enum literal would be a SQL error).
    filter.toStages ? inArray(stageTransitions.toStage, filter.toStages) : undefined,
  );
}

export interface TransitionPage extends Page<StageTransitionRecord> {
  cursorOf(transition: StageTransitionRecord): string;
  totalCount(): Promise<number>;
}

/** Ordered by event position: commit order. */
export async function pageStageTransitions(db: Db, args: PageArgs & { filter?: StageTransitionFilter | null; hiddenModelIds?: number[] }): Promise<TransitionPage> {
  const scope = cursorScope('stageTransitions', args.filter ?? null);
  const plan = planPage(args, scope);
  // Models the caller may not read (NONE grants) are left out.
  const filter = and(filterCondition(args.filter), args.hiddenModelIds?.length ? noneOf(stageTransitions.modelId, args.hiddenModelIds) : undefined);
  const keyset = keysetClauses(plan, sql`${stageTransitions.position}`, sql`${stageTransitions.id}`, true, 'int8', true);
  const rows = await db.select().from(stageTransitions).where(and(filter, keyset.where)).orderBy(keyset.orderBy).limit(plan.limit);
  return {
    ...toPage(rows, plan),
    cursorOf: (t) => encodeCursor(scope, t.position, t.id),
    totalCount: async () => {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(stageTransitions).where(filter);
      return Number(row.n);
    },
  };
}

export function planVersionTransitionsPage(args: PageArgs): PagePlan {
  return planPage(args, cursorScope('transitions', null));
}

export function transitionCursor(plan: PagePlan, t: StageTransitionRecord): string {
  return encodeCursor(plan.scope, t.position, t.id);
}

/** One page of history for each of many versions in a single statement. */
export async function transitionPagesOfVersions(db: Db, versionIds: readonly number[], plan: PagePlan) {
  const pages = new Map<number, Page<StageTransitionRecord>>();
  let rows: StageTransitionRecord[] = [];
  if (versionIds.length > 0) {
    const keyset = keysetClauses(plan, sql.raw('t.position'), sql.raw('t.id'), true, 'int8', true);
    rows = rowsOf<Record<string, unknown>>(
      await db.execute(sql`SELECT st.* FROM unnest(${sql.param([...versionIds])}::int[]) AS p(version_id)
        CROSS JOIN LATERAL (SELECT * FROM stage_transitions t WHERE t.version_id = p.version_id
          ${keyset.where ? sql`AND ${keyset.where}` : sql``} ORDER BY ${keyset.orderBy} LIMIT ${plan.limit}) st`),
    ).map(transitionFromRow);
  }
  for (const id of versionIds) pages.set(id, toPage(rows.filter((r) => r.versionId === id), plan));
  return pages;
}

export async function countTransitionsOfVersions(db: Db, versionIds: readonly number[]) {
  const rows = await db
    .select({ versionId: stageTransitions.versionId, n: sql<number>`count(*)::int` })
    .from(stageTransitions)
    .where(anyOf(stageTransitions.versionId, versionIds))
    .groupBy(stageTransitions.versionId);
  return new Map(rows.map((r) => [r.versionId!, Number(r.n)]));
}

export async function transitionsByIds(db: Db, ids: readonly number[]): Promise<StageTransitionRecord[]> {
  return db.select().from(stageTransitions).where(anyOf(stageTransitions.id, ids));
}

export function transitionFromRow(row: Record<string, unknown>): StageTransitionRecord {
  return {
    id: Number(row.id),
    position: Number(row.position),
    modelId: Number(row.model_id),
    versionId: row.version_id == null ? null : Number(row.version_id),
    modelName: String(row.model_name),
    version: Number(row.version),
    fromStage: row.from_stage as Stage,
    toStage: row.to_stage as Stage,
    comment: (row.comment as string | null) ?? null,
    actor: (row.actor as string | null) ?? null,
    createdAt: new Date(row.created_at as string),
  };
}

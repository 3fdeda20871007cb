// Reads of model versions: the registry-wide page, each model's versions in one batched
// statement, latest versions per stage, and batched lookups.
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { ModelVersionRecord, Stage, TagInput } from '../../registry/types.js';
import { type Db, rowsOf } from '../client.js';
import { modelVersionMetrics, modelVersions, modelVersionTags, registeredModelAliases, registeredModels } from '../schema.js';
import { anyOf, arrayParam, noneOf } from './batch.js';
import { checkFilterText, type StringFilter, stringCondition, type TagFilter, tagConditions } from './filters.js';
import { cursorScope, encodeCursor, keysetClauses, type Page, type PageArgs, type PagePlan, planPage, toPage } from './keyset.js';

export interface ModelVersionFilter {
  name?: StringFilter | null;
  stages?: Stage[] | null;
  runId?: string | null;
  source?: StringFilter | null;
  tags?: TagFilter[] | null;
}
export interface ModelVersionOrder {
  field: 'VERSION' | 'CREATED_AT' | 'UPDATED_AT';
  direction: 'ASC' | 'DESC';
}

const columns = {
  id: modelVersions.id,
  modelId: modelVersions.modelId,
  version: modelVersions.version,
  stage: modelVersions.stage,
  status: modelVersions.status,
  source: modelVersions.source,
  runId: modelVersions.runId,
  description: modelVersions.description,
  createdAt: modelVersions.createdAt,
  updatedAt: modelVersions.updatedAt,
  modelName: registeredModels.name,
};

/** The same columns for hand-written SQL over `mv` joined to `m`. */
/** A version record's columns, named as ModelVersionRecord: for RETURNING and row_to_json in the registry's writes. */
export const VERSION_RECORD_COLUMNS = sql.raw(`id, model_id AS "modelId", version, stage, status, source, run_id AS "runId", description,
  created_at AS "createdAt", updated_at AS "updatedAt"`);

const RAW_COLUMNS = sql.raw(`mv.id, mv.model_id AS "modelId", mv.version, mv.stage, mv.status, mv.source, mv.run_id AS "runId",
  mv.description, mv.created_at AS "createdAt", mv.updated_at AS "updatedAt", m.name AS "modelName"`);

/** Columns a version page can leave out when nobody reads them; id, modelId and version always come. */
const OPTIONAL_COLUMNS: Record<string, string> = {
  stage: 'mv.stage',
  status: 'mv.status',
  source: 'mv.source',
  runId: 'mv.run_id AS "runId"',
  description: 'mv.description',
  createdAt: 'mv.created_at AS "createdAt"',
  updatedAt: 'mv.updated_at AS "updatedAt"',
  modelName: 'm.name AS "modelName"',
};
const ALL_OPTIONAL = Object.keys(OPTIONAL_COLUMNS);

/** What a version page reads: the record's properties wanted (all when absent) and whether tags come along. */
export interface VersionPageShape {
  properties?: readonly string[];
  withTags?: boolean;
  /** False when nobody asks whether more versions follow (no pageInfo): the extra row is not read. */
  needsMore?: boolean;
}

/** id, modelId and version, then the optional columns among `properties` (all when absent). */
function recordColumns(properties: readonly string[] | undefined): string[] {
  const wanted = (properties ?? ALL_OPTIONAL).filter((p) => p in OPTIONAL_COLUMNS).map((p) => OPTIONAL_COLUMNS[p]);
  return ['mv.id', 'mv.model_id AS "modelId"', 'mv.version', ...wanted];
}

function pageColumns(shape: VersionPageShape): SQL {
  return sql.raw(recordColumns(shape.properties).join(', ') + (shape.withTags ? TAGS_COLUMN_TEXT : ''));
}

/**
 * Each version's tags as [key, value] text pairs, ordered by key as the tags loader orders them:
 * a text array costs PostgreSQL about half what building the same JSON does (keys and values
 * are never NULL, which drivers' array parsers could not tell from the text 'NULL').
 */
const TAGS_COLUMN_TEXT = `, array(SELECT array[t.key, t.value] FROM model_version_tags t WHERE t.version_id = mv.id ORDER BY t.key) AS tags`;

/** Tags read as [key, value] pairs (see TAGS_COLUMN_TEXT). */
export function tagsFromPairs(pairs: readonly (readonly string[])[]): TagInput[] {
  return pairs.map(([key, value]) => ({ key, value }));
}

const ORDER_KEYS = {
  VERSION: { column: modelVersions.version, type: 'int4', of: (v: ModelVersionRecord) => v.version },
  CREATED_AT: { column: modelVersions.createdAt, type: 'timestamptz', of: (v: ModelVersionRecord) => v.createdAt.toISOString() },
  UPDATED_AT: { column: modelVersions.updatedAt, type: 'timestamptz', of: (v: ModelVersionRecord) => v.updatedAt.toISOString() },
} as const;

function selectVersions(db: Db) {
  return db.select(columns).from(modelVersions).innerJoin(registeredModels, eq(registeredModels.id, modelVersions.modelId));
}

function filterCondition(filter: ModelVersionFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  return and(
    stringCondition(sql`${registeredModels.name}`, filter.name, 'filter.name'),
    // An empty list matches nothing: inArray gives `false` (an impossible enum literal would be a SQL error).
    filter.stages ? inArray(modelVersions.stage, filter.stages) : undefined,
    filter.runId != null ? sql`${modelVersions.runId} = ${checkFilterText(filter.runId, 'filter.runId')}` : undefined,
    stringCondition(sql`${modelVersions.source}`, filter.source, 'filter.source', { indexedByHash: true }),
    ...tagConditions(filter.tags, 'model_version_tags', 'version_id', sql`${modelVersions.id}`, 'filter.tags'),
  );
}

/** ` AND <column> IN (...)` for raw SQL; an empty list matches nothing (a placeholder non-stage would fail the enum cast). */
function stageCondition(column: SQL, stages: Stage[] | null | undefined): SQL {
  if (!stages) return sql``;
  if (!stages.length) return sql` AND false`;
  return sql` AND ${column} IN (${sql.join(stages.map((s) => sql`${s}`), sql`, `)})`;
}

export interface VersionPage extends Page<ModelVersionRecord> {
  cursorOf(version: ModelVersionRecord): string;
  totalCount(): Promise<number>;
}

export async function pageModelVersions(
  db: Db,
  args: PageArgs & { filter?: ModelVersionFilter | null; hiddenModelIds?: number[]; orderBy?: ModelVersionOrder | null },
): Promise<VersionPage> {
  const order = args.orderBy ?? { field: 'CREATED_AT', direction: 'DESC' };
  const key = ORDER_KEYS[order.field];
  const scope = cursorScope('modelVersions', [args.filter, order]);
  const plan = planPage(args, scope);
  // Models the caller may not read (NONE grants) are left out.
  const filter = and(filterCondition(args.filter), args.hiddenModelIds?.length ? noneOf(modelVersions.modelId, args.hiddenModelIds) : undefined);
  const keyset = keysetClauses(plan, sql`${key.column}`, sql`${modelVersions.id}`, order.direction === 'ASC', key.type);
  const rows = await selectVersions(db).where(and(filter, keyset.where)).orderBy(keyset.orderBy).limit(plan.limit);
  return {
    ...toPage(rows, plan),
    cursorOf: (v) => encodeCursor(scope, key.of(v), v.id),
    totalCount: async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(modelVersions)
        .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.modelId))
        .where(filter);
      return Number(row.n);
    },
  };
}

/** Paging of one model's versions, newest first; the cursor is the version number. */
export function planModelVersionsPage(args: PageArgs & { stages?: Stage[] | null }): PagePlan {
  return planPage(args, cursorScope('versions', args.stages ?? null));
}

export function versionCursor(plan: PagePlan, version: ModelVersionRecord): string {
  return encodeCursor(plan.scope, version.version, version.id);
}

/**
 * One page of versions for each of many models in a single statement: a LATERAL subquery per
 * model walks the (model_id, version) index, so the cost is models × page size. With a shape,
 * the rows hold only the columns asked for (the GraphQL layer asks for what the query selects)
 * and each version's tags come as one JSON value. (Aggregating each model's page into one JSON
 * value in PostgreSQL costs the database more than decoding these narrow rows costs Node.)
 */
export async function versionPagesOfModels(
  db: Db,
  modelIds: readonly number[],
  plan: PagePlan,
  stages: Stage[] | null | undefined,
  shape: VersionPageShape = {},
): Promise<Map<number, Page<ModelVersionRecord>>> {
  const pages = new Map<number, Page<ModelVersionRecord>>();
  if (modelIds.length > 0) {
    const keyset = keysetClauses(plan, sql.raw('mv.version'), sql.raw('mv.id'), false, 'int4', true);
    const stageFilter = stageCondition(sql.raw('mv.stage'), stages);
    const rows = rowsOf<ModelVersionRecord>(
      await db.execute(sql`SELECT ${pageColumns(shape)} FROM registered_models m
        CROSS JOIN LATERAL (SELECT * FROM model_versions mv WHERE mv.model_id = m.id${stageFilter}
          ${keyset.where ? sql`AND ${keyset.where}` : sql``} ORDER BY ${keyset.orderBy} LIMIT ${shape.needsMore === false ? plan.size : plan.limit}) mv
        WHERE ${anyOf(sql.raw('m.id'), modelIds)}`),
    );
    if (shape.withTags) for (const row of rows) row.tags = tagsFromPairs(row.tags as unknown as string[][]);
    const byModel = groupBy(rows, (v) => v.modelId);
    for (const [modelId, versions] of byModel) pages.set(modelId, toPage(versions.map(normalizeVersionRow), plan));
  }
  for (const id of modelIds) if (!pages.has(id)) pages.set(id, toPage([], plan));
  return pages;
}

export async function countVersionsOfModels(db: Db, modelIds: readonly number[], stages: Stage[] | null | undefined) {
  const rows = await db
    .select({ modelId: modelVersions.modelId, n: sql<number>`count(*)::int` })
    .from(modelVersions)
    .where(and(anyOf(modelVersions.modelId, modelIds), stages ? inArray(modelVersions.stage, stages) : undefined))
    .groupBy(modelVersions.modelId);
  return new Map(rows.map((r) => [r.modelId, Number(r.n)]));
}

/**
 * MLflow get_latest_versions: the highest version in each stage, for many models at once.
 * The ids filter the models (not the versions) so both tables are probed by index: filtered on
 * mv.model_id, PostgreSQL hash-joined a sequential scan of every model.
 */
export async function latestVersionsOfModels(db: Db, modelIds: readonly number[], stages: Stage[] | null | undefined) {
  const stageFilter = stageCondition(sql.raw('mv.stage'), stages);
  const rows = rowsOf<ModelVersionRecord>(
    await db.execute(sql`SELECT DISTINCT ON (mv.model_id, mv.stage) ${RAW_COLUMNS}
      FROM registered_models m JOIN model_versions mv ON mv.model_id = m.id
      WHERE ${anyOf(sql.raw('m.id'), modelIds)}${stageFilter}
      ORDER BY mv.model_id, mv.stage, mv.version DESC`),
  );
  return groupBy(rows.map(normalizeVersionRow), (v) => v.modelId);
}

/**
 * The model `m`'s latest version in each stage as a JSON array ordered by stage, for a lookup that
 * brings them along: with only the `properties` the query reads (all when absent), since building
 * each column's JSON is PostgreSQL's work on every lookup.
 */
export function latestVersionsColumn(stages: Stage[] | null | undefined, properties?: readonly string[]): SQL {
  // stage always comes: the array is ordered by it.
  const columns = sql.raw(recordColumns(properties && [...new Set([...properties, 'stage'])]).join(', '));
  return sql`(SELECT coalesce(json_agg(x ORDER BY x.stage), '[]'::json) FROM (SELECT DISTINCT ON (mv.stage) ${columns}
    FROM model_versions mv WHERE mv.model_id = m.id${stageCondition(sql.raw('mv.stage'), stages)} ORDER BY mv.stage, mv.version DESC) x)`;
}

export async function versionsByIds(db: Db, ids: readonly number[]): Promise<ModelVersionRecord[]> {
  return selectVersions(db).where(anyOf(modelVersions.id, ids));
}

/** Versions by (model id, number) pairs, bound as two arrays. */
export async function versionsByNumber(db: Db, keys: readonly { modelId: number; version: number }[]): Promise<ModelVersionRecord[]> {
  const pairs = sql`SELECT * FROM unnest(${arrayParam(keys.map((k) => k.modelId), 'int')}, ${arrayParam(keys.map((k) => k.version), 'int')})`;
  return selectVersions(db).where(sql`(${modelVersions.modelId}, ${modelVersions.version}) IN (${pairs})`);
}

/** Versions by (model name, number) pairs, for the root modelVersion field. */
export async function versionsByName(db: Db, keys: readonly { name: string; version: number }[]): Promise<ModelVersionRecord[]> {
  const pairs = sql`SELECT * FROM unnest(${arrayParam(keys.map((k) => k.name), 'text')}, ${arrayParam(keys.map((k) => k.version), 'int')})`;
  return selectVersions(db).where(sql`(${registeredModels.name}, ${modelVersions.version}) IN (${pairs})`);
}

export async function versionsByAlias(db: Db, keys: readonly { modelId: number; alias: string }[]) {
  const pairs = sql`SELECT * FROM unnest(${arrayParam(keys.map((k) => k.modelId), 'int')}, ${arrayParam(keys.map((k) => k.alias), 'text')})`;
  return db
    .select({ ...columns, alias: registeredModelAliases.alias })
    .from(registeredModelAliases)
    .innerJoin(modelVersions, eq(modelVersions.id, registeredModelAliases.versionId))
    .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.modelId))
    .where(sql`(${registeredModelAliases.modelId}, ${registeredModelAliases.alias}) IN (${pairs})`);
}

export async function tagsOfVersions(db: Db, ids: readonly number[]) {
  return db
    .select({ ownerId: modelVersionTags.versionId, key: modelVersionTags.key, value: modelVersionTags.value })
    .from(modelVersionTags)
    .where(anyOf(modelVersionTags.versionId, ids))
    .orderBy(modelVersionTags.key);
}

export async function metricsOfVersions(db: Db, ids: readonly number[]) {
  return db
    .select({ ownerId: modelVersionMetrics.versionId, key: modelVersionMetrics.key, value: modelVersionMetrics.value })
    .from(modelVersionMetrics)
    .where(anyOf(modelVersionMetrics.versionId, ids))
    .orderBy(modelVersionMetrics.key);
}

/** Raw rows carry driver-specific types for some columns; made records in place (the rows are the driver's fresh objects). */
export function normalizeVersionRow(row: ModelVersionRecord): ModelVersionRecord {
  if (typeof row.id !== 'number') row.id = Number(row.id);
  if (typeof row.modelId !== 'number') row.modelId = Number(row.modelId);
  if (typeof row.version !== 'number') row.version = Number(row.version);
  if (row.createdAt !== undefined && !(row.createdAt instanceof Date)) row.createdAt = new Date(row.createdAt);
  if (row.updatedAt !== undefined && !(row.updatedAt instanceof Date)) row.updatedAt = new Date(row.updatedAt);
  return row;
}

export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

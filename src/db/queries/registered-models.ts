// Reads of registered models: keyset pages, counts and batched lookups.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { ModelVersionRecord, RegisteredModelRecord, Stage } from '../../registry/types.js';
import { type Db, rowsOf } from '../client.js';
import { latestVersionsColumn, normalizeVersionRow, tagsFromPairs } from './model-versions.js';
import { registeredModelAliases, registeredModels, registeredModelTags, modelVersions } from '../schema.js';
import { anyOf, matchAny, noneOf } from './batch.js';
import { type StringFilter, stringCondition, type TagFilter, tagConditions } from './filters.js';
import { cursorScope, encodeCursor, keysetClauses, type Page, type PageArgs, planPage, toPage } from './keyset.js';

export interface RegisteredModelFilter {
  name?: StringFilter | null;
  tags?: TagFilter[] | null;
}
export type RegisteredModelOrderField = 'NAME' | 'CREATED_AT' | 'UPDATED_AT';
export interface RegisteredModelOrder {
  field: RegisteredModelOrderField;
  direction: 'ASC' | 'DESC';
}

const columns = {
  id: registeredModels.id,
  name: registeredModels.name,
  description: registeredModels.description,
  createdAt: registeredModels.createdAt,
  updatedAt: registeredModels.updatedAt,
};

/**
 * A page's columns as written, not through drizzle's select builder: a page of models is built
 * and mapped on every listing, and the builder's per-column work cost more than reading the rows.
 */
const MODEL_RECORD_COLUMNS = sql.raw(`"id", "name", "description", "created_at" AS "createdAt", "updated_at" AS "updatedAt"`);

/** A model row read by raw SQL: drizzle leaves timestamps as text on both drivers; a Date is kept as it is. */
function normalizeModelRow(row: RegisteredModelRecord): RegisteredModelRecord {
  if (!(row.createdAt instanceof Date)) row.createdAt = new Date(row.createdAt);
  if (!(row.updatedAt instanceof Date)) row.updatedAt = new Date(row.updatedAt);
  return row;
}

const ORDER_KEYS = {
  NAME: { column: registeredModels.name, type: 'text', unique: true, of: (m: RegisteredModelRecord) => m.name },
  CREATED_AT: { column: registeredModels.createdAt, type: 'timestamptz', unique: false, of: (m: RegisteredModelRecord) => m.createdAt.toISOString() },
  UPDATED_AT: { column: registeredModels.updatedAt, type: 'timestamptz', unique: false, of: (m: RegisteredModelRecord) => m.updatedAt.toISOString() },
} as const;

function filterCondition(filter: RegisteredModelFilter | null | undefined): SQL | undefined {
  return and(
    stringCondition(sql`${registeredModels.name}`, filter?.name, 'filter.name'),
    ...tagConditions(filter?.tags, 'registered_model_tags', 'model_id', sql`${registeredModels.id}`, 'filter.tags'),
  );
}

export interface ModelPage extends Page<RegisteredModelRecord> {
  cursorOf(model: RegisteredModelRecord): string;
  totalCount(): Promise<number>;
}

export async function pageRegisteredModels(
  db: Db,
  args: PageArgs & { filter?: RegisteredModelFilter | null; hiddenModelIds?: number[]; orderBy?: RegisteredModelOrder | null },
): Promise<ModelPage> {
  const order = args.orderBy ?? { field: 'NAME', direction: 'ASC' };
  const key = ORDER_KEYS[order.field];
  const scope = cursorScope('registeredModels', [args.filter, order]);
  const plan = planPage(args, scope);
  // Models the caller may not read (NONE grants) are left out.
  const filter = and(filterCondition(args.filter), args.hiddenModelIds?.length ? noneOf(registeredModels.id, args.hiddenModelIds) : undefined);
  const keyset = keysetClauses(plan, sql`${key.column}`, sql`${registeredModels.id}`, order.direction === 'ASC', key.type, key.unique);
  const where = and(filter, keyset.where);
  const rows = rowsOf<RegisteredModelRecord>(
    await db.execute(sql`select ${MODEL_RECORD_COLUMNS} from "registered_models"${where ? sql` where ${where}` : sql``} order by ${keyset.orderBy} limit ${plan.limit}`),
  ).map(normalizeModelRow);
  return {
    ...toPage(rows, plan),
    cursorOf: (m) => encodeCursor(scope, key.of(m), m.id),
    totalCount: async () => {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(registeredModels).where(filter);
      return Number(row.n);
    },
  };
}

export async function modelsByIds(db: Db, ids: readonly number[]): Promise<RegisteredModelRecord[]> {
  return db.select(columns).from(registeredModels).where(anyOf(registeredModels.id, ids));
}

/** What a lookup by name brings along in the same statement, each as a JSON column. */
export interface ModelLookupShape {
  withTags?: boolean;
  withAliases?: boolean;
  /** Bring the latest version of each of these stages (every stage when null); absent: do not. */
  latestStages?: Stage[] | null;
  /** The version properties the latest versions are read for (all when absent). */
  latestProperties?: readonly string[];
}

export interface ModelWithRelated extends RegisteredModelRecord {
  tags?: { key: string; value: string }[];
  aliases?: AliasRow[];
  latestVersions?: ModelVersionRecord[];
  /** The stages `latestVersions` was fetched for (null: every stage). */
  latestStages?: Stage[] | null;
}

// Text arrays, as for a version page's tags (TAGS_COLUMN_TEXT): PostgreSQL builds them for about
// a fifth less CPU per lookup than the same JSON objects (pgbench, bench/NOTES.md).
const MODEL_TAGS = sql.raw(`array(SELECT array[t.key, t.value] FROM registered_model_tags t WHERE t.model_id = m.id ORDER BY t.key)`);
const MODEL_ALIASES = sql.raw(`array(SELECT array[a.alias, a.version_id::text, v.version::text]
  FROM registered_model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = m.id ORDER BY a.alias)`);

/** The aliases column's [alias, version id, version] triples as AliasRows of model `modelId`. */
function aliasesFromTriples(modelId: number, triples: readonly (readonly string[])[]): AliasRow[] {
  return triples.map(([alias, versionId, version]) => ({ modelId, alias, versionId: Number(versionId), version: Number(version) }));
}

/**
 * Models by name with what the query will ask of them (tags, aliases, latest versions) in one
 * statement: a model page in the UI costs one round trip instead of one per relation.
 */
export async function modelsByNamesWithRelated(db: Db, names: readonly string[], shape: ModelLookupShape): Promise<ModelWithRelated[]> {
  const related = [
    shape.withTags ? sql`, ${MODEL_TAGS} AS tags` : sql``,
    shape.withAliases ? sql`, ${MODEL_ALIASES} AS aliases` : sql``,
    shape.latestStages !== undefined ? sql`, ${latestVersionsColumn(shape.latestStages, shape.latestProperties)} AS "latestVersions"` : sql``,
  ];
  const rows = rowsOf<ModelWithRelated>(
    await db.execute(sql`SELECT m.id, m.name, m.description, m.created_at AS "createdAt", m.updated_at AS "updatedAt"${sql.join(related)}
      FROM registered_models m WHERE ${matchAny(sql.raw('m.name'), names, 'text')}`),
  );
  for (const row of rows) {
    normalizeModelRow(row);
    if (shape.withTags) row.tags = tagsFromPairs(row.tags as unknown as string[][]);
    if (shape.withAliases) row.aliases = aliasesFromTriples(row.id, row.aliases as unknown as string[][]);
    if (row.latestVersions) {
      row.latestVersions.forEach(normalizeVersionRow);
      row.latestStages = shape.latestStages;
    }
  }
  return rows;
}

export async function tagsOfModels(db: Db, ids: readonly number[]) {
  return db
    .select({ ownerId: registeredModelTags.modelId, key: registeredModelTags.key, value: registeredModelTags.value })
    .from(registeredModelTags)
    .where(anyOf(registeredModelTags.modelId, ids))
    .orderBy(registeredModelTags.key);
}

export interface AliasRow {
  modelId: number;
  alias: string;
  versionId: number;
  version: number;
}

export async function aliasesOfModels(db: Db, ids: readonly number[]): Promise<AliasRow[]> {
  return db
    .select({
      modelId: registeredModelAliases.modelId,
      alias: registeredModelAliases.alias,
      versionId: registeredModelAliases.versionId,
      version: modelVersions.version,
    })
    .from(registeredModelAliases)
    .innerJoin(modelVersions, eq(modelVersions.id, registeredModelAliases.versionId))
    .where(anyOf(registeredModelAliases.modelId, ids))
    .orderBy(registeredModelAliases.alias);
}

export async function aliasesOfVersions(db: Db, versionIds: readonly number[]) {
  return db
    .select({ versionId: registeredModelAliases.versionId, alias: registeredModelAliases.alias })
    .from(registeredModelAliases)
    .where(anyOf(registeredModelAliases.versionId, versionIds))
    .orderBy(registeredModelAliases.alias);
}

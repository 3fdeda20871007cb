// Model versions: creation (and mlflow.register_model), edits, delete, tags and metrics.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type RegistryDatabase, rowsOf } from '../db/client.js';
import { normalizeVersionRow, VERSION_RECORD_COLUMNS } from '../db/queries/model-versions.js';
import { modelVersionMetrics, modelVersions, modelVersionTags, registeredModels } from '../db/schema.js';
import { InvalidInputError, modelNotFound, versionNotFound } from './errors.js';
import { allocateVersionNumber, lockModelVersion, modelColumns, touchModel } from './locks.js';
import { type Actor, type Change, runChange } from './transaction.js';
import type { MetricInput, ModelVersionRecord, RegisteredModelRecord, TagInput } from './types.js';
import {
  checkDescription,
  checkMetrics,
  checkModelName,
  checkRunId,
  checkSource,
  checkTagKey,
  checkTags,
  checkTagValue,
  checkVersionNumber,
  isPossibleModelName,
} from './validation.js';

export interface NewVersionInput {
  name: string;
  source: string;
  runId?: string | null;
  description?: string | null;
  tags?: TagInput[] | null;
  metrics?: MetricInput[] | null;
}

function checkNewVersion(input: NewVersionInput) {
  return {
    source: checkSource(input.source, ['input', 'source']),
    runId: checkRunId(input.runId, ['input', 'runId']),
    description: checkDescription(input.description, ['input', 'description']),
    tags: checkTags(input.tags, ['input', 'tags']),
    metrics: checkMetrics(input.metrics, ['input', 'metrics']),
  };
}

/** insertVersion's statement: the numbered version's model name, and its row as JSON. */
export function insertVersionStatement(numbered: SQL, fields: ReturnType<typeof checkNewVersion>): SQL {
  const { tags, metrics, source, runId, description } = fields;
  return sql`WITH numbered AS (${numbered}), v AS (
      INSERT INTO model_versions (model_id, version, source, run_id, description)
      SELECT model_id, version, ${source}, ${runId ?? null}::text, ${description ?? null}::text FROM numbered
      RETURNING ${VERSION_RECORD_COLUMNS}
    ), tags AS (
      INSERT INTO model_version_tags (version_id, key, value)
      SELECT v.id, t.key, t.value FROM v, json_to_recordset(${JSON.stringify(tags)}::json) AS t(key text, value text)
    ), metrics AS (
      INSERT INTO model_version_metrics (version_id, key, value)
      SELECT v.id, m.key, m.value FROM v, json_to_recordset(${JSON.stringify(metrics)}::json) AS m(key text, value double precision)
    )
    SELECT numbered.name, row_to_json(v) AS version FROM numbered, v`;
}

/**
 * The version row with its tags and metrics, numbered by `numbered` (a statement giving model_id,
 * version and name): one statement, since a change's round trips are what writers wait on.
 * Returns nothing when `numbered` gives no row.
 */
async function insertVersion(change: Change, numbered: SQL, fields: ReturnType<typeof checkNewVersion>): Promise<ModelVersionRecord | undefined> {
  const [row] = rowsOf<{ name: string; version: ModelVersionRecord }>(await change.tx.execute(insertVersionStatement(numbered, fields)));
  if (!row) return undefined;
  const version = { ...normalizeVersionRow(row.version), modelName: row.name };
  change.record({ type: 'VERSION_CREATED', modelId: version.modelId, modelName: version.modelName, versionId: version.id, version: version.version });
  return version;
}

export async function createModelVersion(database: RegistryDatabase, actor: Actor, input: NewVersionInput): Promise<ModelVersionRecord> {
  const fields = checkNewVersion(input);
  const { value } = await runChange(database, actor, async (change) => {
    const created = await insertVersion(change, allocateVersionNumber(input.name), fields);
    if (!created) throw modelNotFound(input.name);
    // Checked after the insert, which a refusal rolls back with the number it took.
    await change.actor.require(created.modelId, created.modelName, 'EDIT', change.tx);
    return created;
  });
  return value;
}

/** mlflow.register_model: creates the model when it is missing, then its next version. */
export async function registerModel(
  database: RegistryDatabase,
  actor: Actor,
  input: NewVersionInput,
): Promise<{ model: RegisteredModelRecord; version: ModelVersionRecord }> {
  const name = checkModelName(input.name, ['input', 'name']);
  const fields = checkNewVersion(input);
  const { value } = await runChange(database, actor, async (change) => {
    // One statement creates the model or takes its next number under the row lock, so
    // concurrent registrations of a new name make one model and versions 1..n.
    const [row] = await change.tx
      .insert(registeredModels)
      .values({ name, nextVersion: 2 })
      .onConflictDoUpdate({
        target: registeredModels.name,
        set: { nextVersion: sql`${registeredModels.nextVersion} + 1`, updatedAt: sql`now()` },
      })
      .returning({
        ...modelColumns,
        version: sql<number>`${registeredModels.nextVersion} - 1`,
        created: sql<boolean>`(xmax = 0)`,
      });
    const { version, created, ...model } = row;
    // Checked after the upsert, which a refusal rolls back with everything else.
    if (created) actor.requireRole('EDIT', 'create models');
    else await actor.require(model.id, model.name, 'EDIT', change.tx);
    if (created) change.record({ type: 'MODEL_CREATED', modelId: model.id, modelName: model.name });
    const numbered = sql`SELECT ${model.id}::int AS model_id, ${Number(version)}::int AS version, ${model.name}::text AS name`;
    return { model, version: (await insertVersion(change, numbered, fields))! };
  });
  return value;
}

function lockInputVersion(change: Change, name: string, version: number, needed: 'EDIT' | 'MANAGE' = 'EDIT') {
  checkVersionNumber(version, ['input', 'version']);
  return lockModelVersion(change, name, version, needed);
}

/** Edits the description only; unlike other version changes it leaves the model's updatedAt alone. */
export async function updateModelVersion(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; version: number; description?: string | null },
): Promise<ModelVersionRecord> {
  const description = checkDescription(input.description, ['input', 'description']);
  const { value } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockInputVersion(change, input.name, input.version);
    const [row] = await change.tx
      .update(modelVersions)
      .set({ description, updatedAt: sql`now()` })
      .where(eq(modelVersions.id, version.id))
      .returning();
    change.record({ type: 'VERSION_UPDATED', modelId: model.id, modelName: model.name, versionId: row.id, version: row.version });
    return { ...row, modelName: model.name };
  });
  return value;
}

/** Deletes the version and its aliases; its number is never reused, its stage history stays. */
export async function deleteModelVersion(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; version: number },
): Promise<ModelVersionRecord> {
  // The result has no InvalidInputError: a name or number no version can have is not found.
  if (!isPossibleModelName(input.name)) throw modelNotFound(input.name);
  if (input.version < 1) throw versionNotFound(input.name, input.version);
  const { value } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockInputVersion(change, input.name, input.version, 'MANAGE');
    await change.tx.delete(modelVersions).where(eq(modelVersions.id, version.id));
    await touchModel(change.tx, model);
    change.record({ type: 'VERSION_DELETED', modelId: model.id, modelName: model.name, versionId: version.id, version: version.version });
    return version;
  });
  return value;
}

export async function setModelVersionTag(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; version: number; key: string; value: string },
): Promise<ModelVersionRecord> {
  const key = checkTagKey(input.key, ['input', 'key']);
  const tagValue = checkTagValue(input.value, ['input', 'value']);
  const { value } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockInputVersion(change, input.name, input.version);
    await change.tx
      .insert(modelVersionTags)
      .values({ versionId: version.id, key, value: tagValue })
      .onConflictDoUpdate({ target: [modelVersionTags.versionId, modelVersionTags.key], set: { value: tagValue } });
    change.record({ type: 'TAG_SET', modelId: model.id, modelName: model.name, versionId: version.id, version: version.version });
    return version;
  });
  return value;
}

export async function deleteModelVersionTag(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; version: number; key: string },
): Promise<ModelVersionRecord> {
  const key = checkTagKey(input.key, ['input', 'key']);
  const { value } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockInputVersion(change, input.name, input.version);
    const deleted = await change.tx
      .delete(modelVersionTags)
      .where(and(eq(modelVersionTags.versionId, version.id), eq(modelVersionTags.key, key)))
      .returning({ key: modelVersionTags.key });
    if (deleted.length) {
      change.record({ type: 'TAG_DELETED', modelId: model.id, modelName: model.name, versionId: version.id, version: version.version });
    }
    return version;
  });
  return value;
}

/** Sets each metric's latest value (adds or overwrites). */
export async function logModelVersionMetrics(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; version: number; metrics: MetricInput[] },
): Promise<ModelVersionRecord> {
  const metrics = checkMetrics(input.metrics, ['input', 'metrics']);
  if (metrics.length === 0) throw new InvalidInputError('At least one metric is required', ['input', 'metrics']);
  const { value } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockInputVersion(change, input.name, input.version);
    await change.tx
      .insert(modelVersionMetrics)
      .values(metrics.map((m) => ({ versionId: version.id, ...m })))
      .onConflictDoUpdate({ target: [modelVersionMetrics.versionId, modelVersionMetrics.key], set: { value: sql`excluded.value` } });
    change.record({ type: 'METRICS_LOGGED', modelId: model.id, modelName: model.name, versionId: version.id, version: version.version });
    return version;
  });
  return value;
}

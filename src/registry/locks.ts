// Locks in the registry's one lock order: the model row first, then its versions, then (at
// commit) the event counter's queue (advisory lock 738292) and its row. Writers that follow it
// never deadlock.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import { normalizeVersionRow, VERSION_RECORD_COLUMNS } from '../db/queries/model-versions.js';
import { modelVersions, registeredModels } from '../db/schema.js';
import { InvalidInputError, modelNotFound, versionNotFound } from './errors.js';
import type { Change } from './transaction.js';
import type { ModelVersionRecord, RegisteredModelRecord } from './types.js';

type Permission = 'READ' | 'EDIT' | 'PROMOTE' | 'MANAGE';

export const modelColumns = {
  id: registeredModels.id,
  name: registeredModels.name,
  description: registeredModels.description,
  createdAt: registeredModels.createdAt,
  updatedAt: registeredModels.updatedAt,
};

/** PostgreSQL cannot take NUL in text: a name with one is invalid input, not a failed statement. */
function refuseNul(name: string): void {
  if (name.includes('\u0000')) throw new InvalidInputError('Model name must not contain a NUL character', ['input', 'name']);
}

/** Locks the model row for the rest of the transaction, once the actor is allowed `needed` on it. */
export async function lockModel(change: Change, name: string, needed: Permission): Promise<RegisteredModelRecord> {
  refuseNul(name);
  const [model] = await change.tx.select(modelColumns).from(registeredModels).where(eq(registeredModels.name, name)).for('update');
  if (!model) throw modelNotFound(name);
  await change.actor.require(model.id, model.name, needed, change.tx);
  return model;
}

/** Locks one version of an already locked model. */
export async function lockVersion(tx: Db, model: RegisteredModelRecord, version: number): Promise<ModelVersionRecord> {
  const [row] = await tx
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, version)))
    .for('update');
  if (!row) throw versionNotFound(model.name, version);
  return { ...row, modelName: model.name };
}

/**
 * Locks the model row, then one of its versions, in one statement (the outer row is locked before
 * the LATERAL one, keeping the lock order); the actor's permission is checked before a missing
 * version is reported, as with lockModel then lockVersion.
 */
export async function lockModelVersion(
  change: Change,
  name: string,
  version: number,
  needed: Permission,
): Promise<{ model: RegisteredModelRecord; version: ModelVersionRecord }> {
  const [row] = rowsOf<RegisteredModelRecord & { version: ModelVersionRecord | null }>(await change.tx.execute(lockModelVersionStatement(name, version)));
  if (!row) throw modelNotFound(name);
  const { version: locked, ...fields } = row;
  const model = { ...fields, createdAt: new Date(fields.createdAt), updatedAt: new Date(fields.updatedAt) };
  await change.actor.require(model.id, model.name, needed, change.tx);
  if (!locked) throw versionNotFound(model.name, version);
  return { model, version: { ...normalizeVersionRow(locked), modelName: model.name } };
}

/** lockModelVersion's statement: the model's row, and the version's as JSON (null when there is none). */
export function lockModelVersionStatement(name: string, version: number): SQL {
  refuseNul(name);
  return sql`WITH m AS (
      SELECT id, name, description, created_at AS "createdAt", updated_at AS "updatedAt" FROM registered_models WHERE name = ${name} FOR UPDATE
    )
    SELECT m.*, row_to_json(v) AS version FROM m LEFT JOIN LATERAL (
      SELECT ${VERSION_RECORD_COLUMNS} FROM model_versions WHERE model_id = m.id AND version = ${version} FOR UPDATE
    ) v ON true`;
}

/**
 * Takes the model's next version number from the counter on its row: an UPDATE for a CTE of the
 * statement that inserts the version (columns model_id, version and name).
 * It locks the row until commit, so concurrent creators get 1, 2, 3, ... and a deleted number is
 * never handed out again.
 */
export function allocateVersionNumber(name: string): SQL {
  refuseNul(name);
  return sql`UPDATE registered_models SET next_version = next_version + 1, updated_at = now() WHERE name = ${name}
    RETURNING id AS model_id, next_version - 1 AS version, name`;
}

/** Marks the model as changed now (version created or deleted, stage changed, edited). */
export async function touchModel(tx: Db, model: RegisteredModelRecord): Promise<RegisteredModelRecord> {
  const [row] = await tx
    .update(registeredModels)
    .set({ updatedAt: sql`now()` })
    .where(eq(registeredModels.id, model.id))
    .returning(modelColumns);
  return row;
}

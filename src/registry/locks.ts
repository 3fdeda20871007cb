// Row locks in the registry's one lock order: the model row first, then its versions,
// then (at commit) the event counter. Writers that follow it never deadlock.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
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

/** Locks the model row for the rest of the transaction, once the actor is allowed `needed` on it. */
export async function lockModel(change: Change, name: string, needed: Permission): Promise<RegisteredModelRecord> {
  if (name.includes('\u0000')) throw new InvalidInputError('Model name must not contain a NUL character', ['input', 'name']);
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
 * Takes the model's next version number from the counter on its row. The UPDATE locks the row
 * until commit, so concurrent creators get 1, 2, 3, ... and a deleted number is never handed out again.
 */
export async function allocateVersionNumber(change: Change, name: string): Promise<{ model: RegisteredModelRecord; version: number }> {
  const { tx } = change;
  if (name.includes('\u0000')) throw new InvalidInputError('Model name must not contain a NUL character', ['input', 'name']);
  const [row] = await tx
    .update(registeredModels)
    .set({ nextVersion: sql`${registeredModels.nextVersion} + 1`, updatedAt: sql`now()` })
    .where(eq(registeredModels.name, name))
    .returning({ ...modelColumns, version: sql<number>`${registeredModels.nextVersion} - 1` });
  if (!row) throw modelNotFound(name);
  const { version, ...model } = row;
  await change.actor.require(model.id, model.name, 'EDIT', change.tx); // a refusal rolls the number back
  return { model, version: Number(version) };
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

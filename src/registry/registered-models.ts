// Registered models: creation, edits, rename, delete, their tags and aliases.
import { and, eq, sql } from 'drizzle-orm';
import type { RegistryDatabase } from '../db/client.js';
import { modelVersions, registeredModelAliases, registeredModels, registeredModelTags } from '../db/schema.js';
import { AlreadyExistsError, modelNotFound, NotFoundError } from './errors.js';
import { lockModel, modelColumns } from './locks.js';
import { type Actor, runChange } from './transaction.js';
import type { RegisteredModelRecord, TagInput } from './types.js';
import { checkAlias, checkText, LIMITS, checkDescription, checkModelName, checkTagKey, checkTags, checkTagValue, checkVersionNumber, isPossibleModelName } from './validation.js';

const alreadyExists = (name: string) => new AlreadyExistsError(`Registered Model (name=${name}) already exists`);

export async function createRegisteredModel(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; description?: string | null; tags?: TagInput[] | null },
): Promise<RegisteredModelRecord> {
  const name = checkModelName(input.name, ['input', 'name']);
  const description = checkDescription(input.description, ['input', 'description']);
  const tags = checkTags(input.tags, ['input', 'tags']);
  actor.requireRole('EDIT', 'create models');
  const { value } = await runChange(database, actor, async (change) => {
    // ON CONFLICT keeps a concurrent duplicate a clean "already exists", not a constraint error.
    const [model] = await change.tx
      .insert(registeredModels)
      .values({ name, description })
      .onConflictDoNothing({ target: registeredModels.name })
      .returning(modelColumns);
    if (!model) throw alreadyExists(name);
    if (tags.length) await change.tx.insert(registeredModelTags).values(tags.map((t) => ({ modelId: model.id, ...t })));
    change.record({ type: 'MODEL_CREATED', modelId: model.id, modelName: name });
    return model;
  });
  return value;
}

export async function updateRegisteredModel(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; description?: string | null },
): Promise<RegisteredModelRecord> {
  const description = checkDescription(input.description, ['input', 'description']);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    const [row] = await change.tx
      .update(registeredModels)
      .set({ description, updatedAt: sql`now()` })
      .where(eq(registeredModels.id, model.id))
      .returning(modelColumns);
    change.record({ type: 'MODEL_UPDATED', modelId: model.id, modelName: model.name });
    return row;
  });
  return value;
}

export async function renameRegisteredModel(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; newName: string },
): Promise<RegisteredModelRecord> {
  const newName = checkModelName(input.newName, ['input', 'newName'], 'New name');
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    if (newName === model.name) return model;
    // One-row update: versions, tags and aliases refer to the model by id, not by name.
    const [row] = await change.tx
      .update(registeredModels)
      .set({ name: newName, updatedAt: sql`now()` })
      .where(and(eq(registeredModels.id, model.id), sql`NOT EXISTS (SELECT 1 FROM registered_models WHERE name = ${newName})`))
      .returning(modelColumns);
    if (!row) throw alreadyExists(newName);
    change.record({ type: 'MODEL_RENAMED', modelId: model.id, modelName: newName });
    return row;
  }).catch((error: unknown) => {
    // A model created under the new name by a concurrent writer trips the unique index.
    if (isUniqueViolation(error)) throw alreadyExists(newName);
    throw error;
  });
  return value;
}

export async function deleteRegisteredModel(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string },
): Promise<RegisteredModelRecord> {
  // The result has no InvalidInputError: a name no model can have (e.g. with NUL) is not found.
  if (!isPossibleModelName(input.name)) throw modelNotFound(input.name);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'MANAGE');
    // Versions, tags and aliases cascade; stage_transitions keep the history.
    await change.tx.delete(registeredModels).where(eq(registeredModels.id, model.id));
    change.record({ type: 'MODEL_DELETED', modelId: model.id, modelName: model.name });
    return model;
  });
  return value;
}

export async function setRegisteredModelTag(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; key: string; value: string },
): Promise<RegisteredModelRecord> {
  const key = checkTagKey(input.key, ['input', 'key']);
  const tagValue = checkTagValue(input.value, ['input', 'value']);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    await change.tx
      .insert(registeredModelTags)
      .values({ modelId: model.id, key, value: tagValue })
      .onConflictDoUpdate({ target: [registeredModelTags.modelId, registeredModelTags.key], set: { value: tagValue } });
    change.record({ type: 'TAG_SET', modelId: model.id, modelName: model.name });
    return model;
  });
  return value;
}

/** Deleting a key the model does not carry is a no-op, as in MLflow. */
export async function deleteRegisteredModelTag(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; key: string },
): Promise<RegisteredModelRecord> {
  const key = checkTagKey(input.key, ['input', 'key']);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    const deleted = await change.tx
      .delete(registeredModelTags)
      .where(and(eq(registeredModelTags.modelId, model.id), eq(registeredModelTags.key, key)))
      .returning({ key: registeredModelTags.key });
    if (deleted.length) change.record({ type: 'TAG_DELETED', modelId: model.id, modelName: model.name });
    return model;
  });
  return value;
}

/** Points the alias at the version, moving it from any other version of the model. */
export async function setRegisteredModelAlias(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; alias: string; version: number },
): Promise<RegisteredModelRecord> {
  const alias = checkAlias(input.alias, ['input', 'alias']);
  const versionNumber = checkVersionNumber(input.version, ['input', 'version']);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    const [version] = await change.tx
      .select({ id: modelVersions.id })
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, versionNumber)));
    if (!version) throw new NotFoundError(`Model Version (name=${model.name}, version=${versionNumber}) not found`);
    await change.tx
      .insert(registeredModelAliases)
      .values({ modelId: model.id, alias, versionId: version.id })
      .onConflictDoUpdate({ target: [registeredModelAliases.modelId, registeredModelAliases.alias], set: { versionId: version.id } });
    change.record({ type: 'ALIAS_SET', modelId: model.id, modelName: model.name, versionId: version.id, version: versionNumber });
    return model;
  });
  return value;
}

/** Deleting an alias the model does not have is a no-op, as in MLflow. */
export async function deleteRegisteredModelAlias(
  database: RegistryDatabase,
  actor: Actor,
  input: { name: string; alias: string },
): Promise<RegisteredModelRecord> {
  checkText(input.alias, ['input', 'alias'], 'Alias', LIMITS.aliasLength);
  const { value } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    const deleted = await change.tx
      .delete(registeredModelAliases)
      .where(and(eq(registeredModelAliases.modelId, model.id), eq(registeredModelAliases.alias, input.alias)))
      .returning({ versionId: registeredModelAliases.versionId });
    if (deleted.length) change.record({ type: 'ALIAS_DELETED', modelId: model.id, modelName: model.name, versionId: deleted[0].versionId });
    return model;
  });
  return value;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}

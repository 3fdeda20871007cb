// Registered models through the public API: create, get, update, rename, delete, tags, aliases
// and input validation. Ports MLflow's store tests (reference §11 rows 1-8, 29-33, R1-R2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createVersion, getVersion } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = (iso: string) => Date.parse(iso);

const MODEL = 'id name description createdAt updatedAt tags { key value } aliases { alias version modelVersion { version } }';
const ERRORS = '... on Error { code message } ... on InvalidInputError { path }';

/** Runs a model mutation, returning its result (payload or error) with the model fully selected. */
async function mutate(r: TestRegistry, field: string, inputType: string, input: Record<string, unknown>) {
  const payload = field === 'deleteRegisteredModel' ? '... on DeleteRegisteredModelPayload { deletedId name }' : `... on ${payloadOf(field)} { registeredModel { ${MODEL} } }`;
  // DeleteRegisteredModelResult has no InvalidInputError member to spread.
  const errors = field === 'deleteRegisteredModel' ? '... on Error { code message }' : ERRORS;
  const data = await r.gql(`mutation($input: ${inputType}!) { ${field}(input: $input) { __typename ${payload} ${errors} } }`, { input });
  return data[field];
}

function payloadOf(field: string) {
  if (field === 'createRegisteredModel') return 'CreateRegisteredModelPayload';
  if (field === 'renameRegisteredModel') return 'RenameRegisteredModelPayload';
  return 'UpdateRegisteredModelPayload';
}

const create = (r: TestRegistry, input: Record<string, unknown>) => mutate(r, 'createRegisteredModel', 'CreateRegisteredModelInput', input);
const update = (r: TestRegistry, input: Record<string, unknown>) => mutate(r, 'updateRegisteredModel', 'UpdateRegisteredModelInput', input);
const rename = (r: TestRegistry, name: string, newName: string) => mutate(r, 'renameRegisteredModel', 'RenameRegisteredModelInput', { name, newName });
const remove = (r: TestRegistry, name: string) => mutate(r, 'deleteRegisteredModel', 'DeleteRegisteredModelInput', { name });
const setTag = (r: TestRegistry, name: string, key: string, value: string) => mutate(r, 'setRegisteredModelTag', 'SetRegisteredModelTagInput', { name, key, value });
const deleteTag = (r: TestRegistry, name: string, key: string) => mutate(r, 'deleteRegisteredModelTag', 'DeleteRegisteredModelTagInput', { name, key });
const setAlias = (r: TestRegistry, name: string, alias: string, version: number) => mutate(r, 'setRegisteredModelAlias', 'SetRegisteredModelAliasInput', { name, alias, version });
const deleteAlias = (r: TestRegistry, name: string, alias: string) => mutate(r, 'deleteRegisteredModelAlias', 'DeleteRegisteredModelAliasInput', { name, alias });

async function model(r: TestRegistry, name: string) {
  const data = await r.gql(`query($name: String!) { registeredModel(name: $name) { ${MODEL} latestVersions { version } versions(first: 100) { totalCount edges { node { version name } } } } }`, { name });
  return data.registeredModel;
}

/** Every model's name, for checking that a failed create made nothing. */
async function allNames(r: TestRegistry): Promise<string[]> {
  const data = await r.gql(`{ registeredModels(first: 1000) { edges { node { name } } } }`);
  return data.registeredModels.edges.map((e: any) => e.node.name);
}

async function versionAliases(r: TestRegistry, name: string, version: number): Promise<string[]> {
  return (await getVersion(r, name, version, 'aliases')).aliases;
}

function expectInvalid(result: any, path: string[]) {
  expect(result).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_PARAMETER_VALUE', path });
  expect(result.message).toEqual(expect.any(String));
  expect(result.message.length).toBeGreaterThan(0);
}

function expectNotFound(result: any) {
  expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'RESOURCE_DOES_NOT_EXIST' });
}

describe.each(databaseKinds)('registered models (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
  });
  afterAll(() => r.stop());

  describe('create', () => {
    it('returns the name, a null description, no tags, and equal creation and update times', async () => {
      const result = await create(r, { name: 'create-plain' });
      expect(result.__typename).toBe('CreateRegisteredModelPayload');
      const m = result.registeredModel;
      expect(m).toMatchObject({ name: 'create-plain', description: null, tags: [], aliases: [] });
      expect(m.createdAt).toBe(m.updatedAt);
      expect(Math.abs(time(m.createdAt) - Date.now())).toBeLessThan(60_000);
    });

    it('a duplicate name is AlreadyExistsError and leaves the original untouched', async () => {
      const first = await create(r, { name: 'create-dup', description: 'original', tags: [{ key: 'k', value: 'v' }] });
      const dup = await create(r, { name: 'create-dup', description: 'imposter', tags: [{ key: 'other', value: 'x' }] });
      expect(dup).toEqual({ __typename: 'AlreadyExistsError', code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=create-dup) already exists' });
      const stored = await model(r, 'create-dup');
      expect(stored).toMatchObject({ id: first.registeredModel.id, description: 'original', tags: [{ key: 'k', value: 'v' }] });
      expect(stored.updatedAt).toBe(first.registeredModel.updatedAt);
      expect((await allNames(r)).filter((n) => n === 'create-dup')).toHaveLength(1);
    });

    it('names that are prefixes or extensions of an existing name are distinct models', async () => {
      const base = await create(r, { name: 'create-prefix' });
      const shorter = await create(r, { name: 'create-prefi' });
      const longer = await create(r, { name: 'create-prefix-2' });
      const cased = await create(r, { name: 'CREATE-prefix' });
      for (const result of [base, shorter, longer, cased]) expect(result.__typename).toBe('CreateRegisteredModelPayload');
      const ids = new Set([base, shorter, longer, cased].map((x) => x.registeredModel.id));
      expect(ids.size).toBe(4);
      expect((await model(r, 'create-prefi')).name).toBe('create-prefi');
      expect((await model(r, 'create-prefix-2')).id).toBe(longer.registeredModel.id);
    });

    it('description and tags round-trip; a tag key given twice keeps its last value', async () => {
      const result = await create(r, {
        name: 'create-tags',
        description: 'A model\nwith two lines — and unicode ✓',
        tags: [
          { key: 'team', value: 'search' },
          { key: 'owner', value: 'alice' },
          { key: 'team', value: 'ranking' },
          { key: 'empty', value: '' },
        ],
      });
      const expected = [
        { key: 'empty', value: '' },
        { key: 'owner', value: 'alice' },
        { key: 'team', value: 'ranking' },
      ];
      expect(result.registeredModel.description).toBe('A model\nwith two lines — and unicode ✓');
      expect(result.registeredModel.tags).toEqual(expected);
      const stored = await model(r, 'create-tags');
      expect(stored.description).toBe('A model\nwith two lines — and unicode ✓');
      expect(stored.tags).toEqual(expected);
    });

    it('tags with the characters array and JSON syntax use come back intact from a lookup and from a page', async () => {
      const odd = ['NULL', 'null', 'a,b', '{x}', '{"y": 1}', 'q"uote', 'back\\slash', ' lead', 'trail ', '', 'ünï 😀', "it's"];
      const tags = odd.map((value, i) => ({ key: `${String(i).padStart(2, '0')}${value}`, value }));
      await create(r, { name: 'odd-tags', tags });
      const byName = await r.gql(`{ registeredModel(name: "odd-tags") { tags { key value } } }`);
      expect(byName.registeredModel.tags).toEqual(tags);
      const byPage = await r.gql(`{ registeredModels(first: 1, filter: { name: { equals: "odd-tags" } }) { edges { node { tags { key value } } } } }`);
      expect(byPage.registeredModels.edges[0].node.tags).toEqual(tags);
    });
  });

  describe('get', () => {
    it('registeredModel(name) returns the model with no versions; node(id) finds it; an unknown name is null', async () => {
      const created = (await create(r, { name: 'get-model', description: 'd', tags: [{ key: 'a', value: '1' }] })).registeredModel;
      const got = await model(r, 'get-model');
      expect(got).toMatchObject({
        id: created.id,
        name: 'get-model',
        description: 'd',
        createdAt: created.createdAt,
        updatedAt: created.createdAt,
        tags: [{ key: 'a', value: '1' }],
        aliases: [],
        latestVersions: [],
        versions: { totalCount: 0, edges: [] },
      });
      const byId = await r.gql(`query($id: ID!) { node(id: $id) { __typename ... on RegisteredModel { name } } }`, { id: created.id });
      expect(byId.node).toEqual({ __typename: 'RegisteredModel', name: 'get-model' });
      expect(await model(r, 'get-mode')).toBeNull();
      expect(await model(r, 'get-model-missing')).toBeNull();
    });
  });

  describe('update', () => {
    it('sets the description, bumps updatedAt and keeps createdAt; null clears it', async () => {
      const created = (await create(r, { name: 'update-desc', description: 'before' })).registeredModel;
      await sleep(15);
      const updated = await update(r, { name: 'update-desc', description: 'after' });
      expect(updated.__typename).toBe('UpdateRegisteredModelPayload');
      expect(updated.registeredModel.description).toBe('after');
      expect(updated.registeredModel.createdAt).toBe(created.createdAt);
      expect(time(updated.registeredModel.updatedAt)).toBeGreaterThan(time(created.updatedAt));
      const stored = await model(r, 'update-desc');
      expect(stored.description).toBe('after');
      expect(stored.updatedAt).toBe(updated.registeredModel.updatedAt);

      const cleared = await update(r, { name: 'update-desc', description: null });
      expect(cleared.registeredModel.description).toBeNull();
      expect((await model(r, 'update-desc')).description).toBeNull();
    });

    it('a missing model is NotFoundError', async () => {
      const result = await update(r, { name: 'update-missing', description: 'x' });
      expect(result).toEqual({ __typename: 'NotFoundError', code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=update-missing not found' });
      expect(await model(r, 'update-missing')).toBeNull();
    });
  });

  describe('rename', () => {
    it('moves versions, tags and aliases to the new name and bumps updatedAt; the old name is gone', async () => {
      const created = (await create(r, { name: 'rename-src', tags: [{ key: 't', value: 'v' }] })).registeredModel;
      await createVersion(r, 'rename-src');
      await createVersion(r, 'rename-src');
      await setAlias(r, 'rename-src', 'champion', 2);
      const before = await model(r, 'rename-src');
      await sleep(15);
      const renamed = await rename(r, 'rename-src', 'rename-dst');
      expect(renamed.__typename).toBe('RenameRegisteredModelPayload');
      expect(renamed.registeredModel).toMatchObject({ id: created.id, name: 'rename-dst', createdAt: created.createdAt, tags: [{ key: 't', value: 'v' }] });
      expect(time(renamed.registeredModel.updatedAt)).toBeGreaterThan(time(before.updatedAt));

      const after = await model(r, 'rename-dst');
      expect(after.versions.edges.map((e: any) => e.node)).toEqual([
        { version: 2, name: 'rename-dst' },
        { version: 1, name: 'rename-dst' },
      ]);
      expect(after.aliases).toEqual([{ alias: 'champion', version: 2, modelVersion: { version: 2 } }]);
      expect((await getVersion(r, 'rename-dst', 1, 'name version')).name).toBe('rename-dst');
      expect(await model(r, 'rename-src')).toBeNull();
      expect(await getVersion(r, 'rename-src', 1)).toBeNull();
      // The old name is a NotFound for writes, too.
      expectNotFound(await update(r, { name: 'rename-src', description: 'x' }));
    });

    it('the old name can be created again as a new, empty model', async () => {
      await create(r, { name: 'rename-reuse' });
      await createVersion(r, 'rename-reuse');
      const moved = (await rename(r, 'rename-reuse', 'rename-reuse-new')).registeredModel;
      const again = await create(r, { name: 'rename-reuse' });
      expect(again.__typename).toBe('CreateRegisteredModelPayload');
      expect(again.registeredModel.id).not.toBe(moved.id);
      expect((await model(r, 'rename-reuse')).versions.totalCount).toBe(0);
      expect((await createVersion(r, 'rename-reuse')).modelVersion.version).toBe(1);
      expect((await model(r, 'rename-reuse-new')).versions.totalCount).toBe(1);
    });

    it('renaming onto an existing name is AlreadyExistsError and changes neither model', async () => {
      await create(r, { name: 'rename-a', description: 'a' });
      await create(r, { name: 'rename-b', description: 'b' });
      await createVersion(r, 'rename-a');
      const [a, b] = [await model(r, 'rename-a'), await model(r, 'rename-b')];
      const result = await rename(r, 'rename-a', 'rename-b');
      expect(result).toEqual({ __typename: 'AlreadyExistsError', code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=rename-b) already exists' });
      expect(await model(r, 'rename-a')).toEqual(a);
      expect(await model(r, 'rename-b')).toEqual(b);
    });

    it('renaming a missing model is NotFoundError; renaming to its own name is a no-op', async () => {
      expectNotFound(await rename(r, 'rename-missing', 'rename-missing-2'));
      expect(await model(r, 'rename-missing-2')).toBeNull();
      const created = (await create(r, { name: 'rename-self' })).registeredModel;
      const same = await rename(r, 'rename-self', 'rename-self');
      expect(same.registeredModel).toMatchObject({ id: created.id, name: 'rename-self' });
    });
  });

  describe('delete', () => {
    it('removes the model, its versions, tags and aliases; a second delete is NotFoundError', async () => {
      const created = (await create(r, { name: 'delete-me', tags: [{ key: 'k', value: 'v' }] })).registeredModel;
      const v1 = (await createVersion(r, 'delete-me')).modelVersion;
      await createVersion(r, 'delete-me');
      await setAlias(r, 'delete-me', 'prod', 1);

      const deleted = await remove(r, 'delete-me');
      expect(deleted).toEqual({ __typename: 'DeleteRegisteredModelPayload', deletedId: created.id, name: 'delete-me' });
      expect(await model(r, 'delete-me')).toBeNull();
      expect(await getVersion(r, 'delete-me', 1)).toBeNull();
      expect(await getVersion(r, 'delete-me', 2)).toBeNull();
      const nodes = await r.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [created.id, v1.id] });
      expect(nodes.nodes).toEqual([null, null]);
      const listed = await r.gql(`{ modelVersions(first: 100, filter: { name: { equals: "delete-me" } }) { totalCount } }`);
      expect(listed.modelVersions.totalCount).toBe(0);

      expect(await remove(r, 'delete-me')).toEqual({
        __typename: 'NotFoundError',
        code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Registered Model with name=delete-me not found',
      });
      expectNotFound(await update(r, { name: 'delete-me', description: 'x' }));
      expectNotFound(await setTag(r, 'delete-me', 'k', 'v'));
      expectNotFound(await createVersion(r, 'delete-me'));
      expect(await model(r, 'delete-me')).toBeNull();
    });

    it('re-creating a deleted model starts again at version 1 with no tags', async () => {
      await create(r, { name: 'delete-recreate', tags: [{ key: 'old', value: '1' }] });
      for (let i = 0; i < 3; i++) await createVersion(r, 'delete-recreate');
      await remove(r, 'delete-recreate');
      const again = await create(r, { name: 'delete-recreate' });
      expect(again.registeredModel.tags).toEqual([]);
      expect((await createVersion(r, 'delete-recreate')).modelVersion.version).toBe(1);
      expect((await model(r, 'delete-recreate')).versions.totalCount).toBe(1);
    });

    it('deleting a model leaves other models alone', async () => {
      await create(r, { name: 'delete-keep' });
      await createVersion(r, 'delete-keep');
      await create(r, { name: 'delete-gone' });
      await createVersion(r, 'delete-gone');
      await remove(r, 'delete-gone');
      expect((await model(r, 'delete-keep')).versions.totalCount).toBe(1);
    });
  });

  describe('model tags', () => {
    it('set adds, set again overwrites, and tags of one model do not bleed into another', async () => {
      await create(r, { name: 'tags-one' });
      await create(r, { name: 'tags-two', tags: [{ key: 'shared', value: 'two' }] });
      const added = await setTag(r, 'tags-one', 'shared', 'one');
      expect(added.__typename).toBe('UpdateRegisteredModelPayload');
      expect(added.registeredModel.tags).toEqual([{ key: 'shared', value: 'one' }]);
      await setTag(r, 'tags-one', 'long', 'x'.repeat(4999));
      const overwritten = await setTag(r, 'tags-one', 'shared', 'one-again');
      expect(overwritten.registeredModel.tags).toEqual([
        { key: 'long', value: 'x'.repeat(4999) },
        { key: 'shared', value: 'one-again' },
      ]);
      expect((await model(r, 'tags-one')).tags).toEqual(overwritten.registeredModel.tags);
      expect((await model(r, 'tags-two')).tags).toEqual([{ key: 'shared', value: 'two' }]);
    });

    it('delete removes only that key of that model; deleting an absent key is a no-op', async () => {
      await create(r, { name: 'tags-del-a', tags: [{ key: 'k1', value: 'a1' }, { key: 'k2', value: 'a2' }] });
      await create(r, { name: 'tags-del-b', tags: [{ key: 'k1', value: 'b1' }] });
      const deleted = await deleteTag(r, 'tags-del-a', 'k1');
      expect(deleted.__typename).toBe('UpdateRegisteredModelPayload');
      expect(deleted.registeredModel.tags).toEqual([{ key: 'k2', value: 'a2' }]);
      expect((await model(r, 'tags-del-b')).tags).toEqual([{ key: 'k1', value: 'b1' }]);

      const again = await deleteTag(r, 'tags-del-a', 'k1');
      expect(again.__typename).toBe('UpdateRegisteredModelPayload');
      expect(again.registeredModel.tags).toEqual([{ key: 'k2', value: 'a2' }]);
      const never = await deleteTag(r, 'tags-del-a', 'never-set');
      expect(never.registeredModel.tags).toEqual([{ key: 'k2', value: 'a2' }]);
    });

    it('a missing model is NotFoundError for set and delete', async () => {
      expect(await setTag(r, 'tags-missing', 'k', 'v')).toEqual({
        __typename: 'NotFoundError',
        code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Registered Model with name=tags-missing not found',
      });
      expectNotFound(await deleteTag(r, 'tags-missing', 'k'));
      expect(await model(r, 'tags-missing')).toBeNull();
    });
  });

  describe('aliases', () => {
    it('an alias on v2 shows on the model as {alias, version: 2}, on v2, and not on v1', async () => {
      await create(r, { name: 'alias-set' });
      await createVersion(r, 'alias-set');
      await createVersion(r, 'alias-set');
      const result = await setAlias(r, 'alias-set', 'champion', 2);
      expect(result.__typename).toBe('UpdateRegisteredModelPayload');
      expect(result.registeredModel.aliases).toEqual([{ alias: 'champion', version: 2, modelVersion: { version: 2 } }]);
      expect((await model(r, 'alias-set')).aliases).toEqual([{ alias: 'champion', version: 2, modelVersion: { version: 2 } }]);
      expect(await versionAliases(r, 'alias-set', 2)).toEqual(['champion']);
      expect(await versionAliases(r, 'alias-set', 1)).toEqual([]);
    });

    it('setting an alias again moves it; versionByAlias resolves it', async () => {
      await create(r, { name: 'alias-move' });
      for (let i = 0; i < 3; i++) await createVersion(r, 'alias-move');
      await setAlias(r, 'alias-move', 'champion', 1);
      await setAlias(r, 'alias-move', 'challenger', 3);
      const moved = await setAlias(r, 'alias-move', 'champion', 2);
      expect(moved.registeredModel.aliases).toEqual([
        { alias: 'challenger', version: 3, modelVersion: { version: 3 } },
        { alias: 'champion', version: 2, modelVersion: { version: 2 } },
      ]);
      expect(await versionAliases(r, 'alias-move', 1)).toEqual([]);
      expect(await versionAliases(r, 'alias-move', 2)).toEqual(['champion']);
      // Two aliases on one version.
      await setAlias(r, 'alias-move', 'challenger', 2);
      expect(await versionAliases(r, 'alias-move', 2)).toEqual(['challenger', 'champion']);
      expect(await versionAliases(r, 'alias-move', 3)).toEqual([]);

      const byAlias = await r.gql(`{ registeredModel(name: "alias-move") { champion: versionByAlias(alias: "champion") { version aliases } none: versionByAlias(alias: "nobody") { version } } }`);
      expect(byAlias.registeredModel).toEqual({ champion: { version: 2, aliases: ['challenger', 'champion'] }, none: null });
    });

    it('aliases are per model', async () => {
      await create(r, { name: 'alias-iso-a' });
      await create(r, { name: 'alias-iso-b' });
      await createVersion(r, 'alias-iso-a');
      await createVersion(r, 'alias-iso-b');
      await createVersion(r, 'alias-iso-b');
      await setAlias(r, 'alias-iso-a', 'prod', 1);
      await setAlias(r, 'alias-iso-b', 'prod', 2);
      expect((await model(r, 'alias-iso-a')).aliases).toEqual([{ alias: 'prod', version: 1, modelVersion: { version: 1 } }]);
      expect((await model(r, 'alias-iso-b')).aliases).toEqual([{ alias: 'prod', version: 2, modelVersion: { version: 2 } }]);
    });

    it('delete removes the alias from the model and the version; deleting an absent alias is a no-op', async () => {
      await create(r, { name: 'alias-del' });
      await createVersion(r, 'alias-del');
      await setAlias(r, 'alias-del', 'keep', 1);
      await setAlias(r, 'alias-del', 'drop', 1);
      const deleted = await deleteAlias(r, 'alias-del', 'drop');
      expect(deleted.__typename).toBe('UpdateRegisteredModelPayload');
      expect(deleted.registeredModel.aliases).toEqual([{ alias: 'keep', version: 1, modelVersion: { version: 1 } }]);
      expect(await versionAliases(r, 'alias-del', 1)).toEqual(['keep']);
      const lookup = await r.gql(`{ registeredModel(name: "alias-del") { versionByAlias(alias: "drop") { version } } }`);
      expect(lookup.registeredModel.versionByAlias).toBeNull();
      const absent = await deleteAlias(r, 'alias-del', 'drop');
      expect(absent.__typename).toBe('UpdateRegisteredModelPayload');
      expect(absent.registeredModel.aliases).toEqual([{ alias: 'keep', version: 1, modelVersion: { version: 1 } }]);
    });

    it('deleting the version removes its aliases', async () => {
      await create(r, { name: 'alias-version-gone' });
      await createVersion(r, 'alias-version-gone');
      await createVersion(r, 'alias-version-gone');
      await setAlias(r, 'alias-version-gone', 'champion', 2);
      await setAlias(r, 'alias-version-gone', 'old', 1);
      const del = await r.gql(`mutation { deleteModelVersion(input: { name: "alias-version-gone", version: 2 }) { __typename } }`);
      expect(del.deleteModelVersion.__typename).toBe('DeleteModelVersionPayload');
      const after = await r.gql(`{ registeredModel(name: "alias-version-gone") { aliases { alias version } versionByAlias(alias: "champion") { version } } }`);
      expect(after.registeredModel).toEqual({ aliases: [{ alias: 'old', version: 1 }], versionByAlias: null });
      // The alias can be set again on a remaining version.
      const reset = await setAlias(r, 'alias-version-gone', 'champion', 1);
      expect(reset.registeredModel.aliases.map((a: any) => [a.alias, a.version])).toEqual([
        ['champion', 1],
        ['old', 1],
      ]);
    });

    it('deleting the model makes alias lookup find no model', async () => {
      await create(r, { name: 'alias-model-gone' });
      await createVersion(r, 'alias-model-gone');
      await setAlias(r, 'alias-model-gone', 'champion', 1);
      await remove(r, 'alias-model-gone');
      const after = await r.gql(`{ registeredModel(name: "alias-model-gone") { versionByAlias(alias: "champion") { version } } }`);
      expect(after.registeredModel).toBeNull();
      // A new model of that name does not inherit the alias.
      await create(r, { name: 'alias-model-gone' });
      await createVersion(r, 'alias-model-gone');
      expect((await model(r, 'alias-model-gone')).aliases).toEqual([]);
    });

    it('an alias on a missing version or model is NotFoundError and sets nothing', async () => {
      await create(r, { name: 'alias-missing' });
      await createVersion(r, 'alias-missing');
      expect(await setAlias(r, 'alias-missing', 'champion', 2)).toEqual({
        __typename: 'NotFoundError',
        code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Model Version (name=alias-missing, version=2) not found',
      });
      expectNotFound(await setAlias(r, 'alias-missing-model', 'champion', 1));
      expectNotFound(await deleteAlias(r, 'alias-missing-model', 'champion'));
      expect((await model(r, 'alias-missing')).aliases).toEqual([]);
    });
  });

  describe('validation', () => {
    it('model names: 1-256 characters, no control characters, no "/", no leading or trailing space', async () => {
      const names = await allNames(r);
      const bad = ['', 'n'.repeat(257), 'tab\there', 'bell\u0007', 'del\u007f', 'line\nbreak', 'a/b', '/lead', ' lead', 'trail ', '\tlead'];
      for (const name of bad) expectInvalid(await create(r, { name }), ['input', 'name']);
      expect(await allNames(r)).toEqual(names);

      for (const name of ['v'.repeat(256), 'a', 'with inner space', 'dots.and-dashes_and:colons', 'ünïcödé ✓', 'at@sign']) {
        const result = await create(r, { name });
        expect(result.__typename).toBe('CreateRegisteredModelPayload');
        expect(result.registeredModel.name).toBe(name);
        expect((await model(r, name)).name).toBe(name);
      }
    });

    it('a bad new name on rename is InvalidInputError at input.newName and leaves the model as it was', async () => {
      await create(r, { name: 'valid-rename' });
      const before = await model(r, 'valid-rename');
      for (const newName of ['', 'x'.repeat(257), 'a/b', ' pad', 'pad ', 'ctl\u0001', 'nul\u0000']) {
        expectInvalid(await rename(r, 'valid-rename', newName), ['input', 'newName']);
      }
      expect(await model(r, 'valid-rename')).toEqual(before);
    });

    it('tag keys 1-250 characters without control characters; tag values up to 5,000 characters', async () => {
      const names = await allNames(r);
      expectInvalid(await create(r, { name: 'valid-tag-create', tags: [{ key: '', value: 'v' }] }), ['input', 'tags', '0', 'key']);
      expectInvalid(await create(r, { name: 'valid-tag-create', tags: [{ key: 'ok', value: 'v' }, { key: 'k'.repeat(251), value: 'v' }] }), ['input', 'tags', '1', 'key']);
      expectInvalid(await create(r, { name: 'valid-tag-create', tags: [{ key: 'a\nb', value: 'v' }] }), ['input', 'tags', '0', 'key']);
      expectInvalid(await create(r, { name: 'valid-tag-create', tags: [{ key: 'k', value: 'v'.repeat(5001) }] }), ['input', 'tags', '0', 'value']);
      expect(await allNames(r)).toEqual(names);

      await create(r, { name: 'valid-tags', tags: [{ key: 'k'.repeat(250), value: 'v'.repeat(5000) }] });
      const before = await model(r, 'valid-tags');
      expect(before.tags).toEqual([{ key: 'k'.repeat(250), value: 'v'.repeat(5000) }]);
      expectInvalid(await setTag(r, 'valid-tags', '', 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'valid-tags', 'k'.repeat(251), 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'valid-tags', 'ctl\u0002', 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'valid-tags', 'k'.repeat(250), 'v'.repeat(5001)), ['input', 'value']);
      expectInvalid(await deleteTag(r, 'valid-tags', ''), ['input', 'key']);
      expect(await model(r, 'valid-tags')).toEqual(before);

      const ok = await setTag(r, 'valid-tags', 'k'.repeat(250), 'w'.repeat(5000));
      expect(ok.registeredModel.tags).toEqual([{ key: 'k'.repeat(250), value: 'w'.repeat(5000) }]);
      // Values may hold newlines and tabs; only keys are restricted.
      expect((await setTag(r, 'valid-tags', 'multi', 'line\n\tvalue')).registeredModel.tags).toContainEqual({ key: 'multi', value: 'line\n\tvalue' });
    });

    it('at most 100 tags per request', async () => {
      const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: String(i) }));
      expectInvalid(await create(r, { name: 'valid-many-tags', tags: tags(101) }), ['input', 'tags']);
      expect(await model(r, 'valid-many-tags')).toBeNull();
      const ok = await create(r, { name: 'valid-many-tags', tags: tags(100) });
      expect(ok.registeredModel.tags).toHaveLength(100);
      expect((await model(r, 'valid-many-tags')).tags).toHaveLength(100);
    });

    it('descriptions up to 5,000 characters', async () => {
      expectInvalid(await create(r, { name: 'valid-desc', description: 'd'.repeat(5001) }), ['input', 'description']);
      expect(await model(r, 'valid-desc')).toBeNull();
      const ok = await create(r, { name: 'valid-desc', description: 'd'.repeat(5000) });
      expect(ok.registeredModel.description).toBe('d'.repeat(5000));
      const before = await model(r, 'valid-desc');
      await sleep(15);
      expectInvalid(await update(r, { name: 'valid-desc', description: 'e'.repeat(5001) }), ['input', 'description']);
      expect(await model(r, 'valid-desc')).toEqual(before);
    });

    it('aliases match [A-Za-z0-9_-]{1,255}; "latest" and "v<digits>" are reserved', async () => {
      await create(r, { name: 'valid-alias' });
      await createVersion(r, 'valid-alias');
      const bad = ['', 'a'.repeat(256), 'has space', 'dot.ted', 'slash/ed', 'colon:', 'ünï', 'latest', 'LATEST', 'Latest', 'v1', 'v42', 'V7', 'v007'];
      for (const alias of bad) expectInvalid(await setAlias(r, 'valid-alias', alias, 1), ['input', 'alias']);
      expect((await model(r, 'valid-alias')).aliases).toEqual([]);

      const good = ['a'.repeat(255), 'champion', 'Champion_2', 'my-alias', '42', 'v', 'v1a', 'version1', 'latest2', '_-_'];
      for (const alias of good) {
        const result = await setAlias(r, 'valid-alias', alias, 1);
        expect(result.__typename).toBe('UpdateRegisteredModelPayload');
      }
      expect((await versionAliases(r, 'valid-alias', 1)).sort()).toEqual([...good].sort());
    });

    it('a NUL character anywhere is InvalidInputError, never a GraphQL error, and changes nothing', async () => {
      await create(r, { name: 'valid-nul', description: 'keep', tags: [{ key: 'k', value: 'v' }] });
      await createVersion(r, 'valid-nul');
      await setAlias(r, 'valid-nul', 'champion', 1);
      const before = await model(r, 'valid-nul');
      const names = await allNames(r);

      expectInvalid(await create(r, { name: 'nul\u0000name' }), ['input', 'name']);
      expectInvalid(await create(r, { name: 'nul-desc', description: 'a\u0000b' }), ['input', 'description']);
      expectInvalid(await create(r, { name: 'nul-tag', tags: [{ key: 'k\u0000', value: 'v' }] }), ['input', 'tags', '0', 'key']);
      expectInvalid(await create(r, { name: 'nul-tag', tags: [{ key: 'k', value: '\u0000' }] }), ['input', 'tags', '0', 'value']);
      expect(await allNames(r)).toEqual(names);

      expectInvalid(await update(r, { name: 'valid-nul\u0000', description: 'x' }), ['input', 'name']);
      expectInvalid(await update(r, { name: 'valid-nul', description: 'x\u0000' }), ['input', 'description']);
      expectInvalid(await rename(r, 'valid-nul\u0000', 'fine'), ['input', 'name']);
      expectInvalid(await rename(r, 'valid-nul', 'fine\u0000'), ['input', 'newName']);
      expectInvalid(await setTag(r, 'valid-nul\u0000', 'k', 'v'), ['input', 'name']);
      expectInvalid(await setTag(r, 'valid-nul', 'k\u0000', 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'valid-nul', 'k', 'v\u0000'), ['input', 'value']);
      expectInvalid(await deleteTag(r, 'valid-nul', 'k\u0000'), ['input', 'key']);
      expectInvalid(await deleteTag(r, 'valid-nul\u0000', 'k'), ['input', 'name']);
      expectInvalid(await setAlias(r, 'valid-nul', 'champ\u0000', 1), ['input', 'alias']);
      expectInvalid(await setAlias(r, 'valid-nul\u0000', 'champion', 1), ['input', 'name']);
      expectInvalid(await deleteAlias(r, 'valid-nul', 'champion\u0000'), ['input', 'alias']);
      expectInvalid(await deleteAlias(r, 'valid-nul\u0000', 'champion'), ['input', 'name']);
      // No stored model can have such a name, so delete reports it missing.
      expectNotFound(await remove(r, 'valid-nul\u0000'));
      expect(await model(r, 'valid-nul')).toEqual(before);

      // Reads: a name or alias with NUL finds nothing.
      expect(await model(r, 'valid-nul\u0000')).toBeNull();
      const lookup = await r.gql(`query($alias: String!) { registeredModel(name: "valid-nul") { versionByAlias(alias: $alias) { version } } }`, { alias: 'champion\u0000' });
      expect(lookup.registeredModel.versionByAlias).toBeNull();
    });

    it('a failed create inside a multi-field mutation does not undo the others, and a bad one makes nothing', async () => {
      const data = await r.gql(`mutation {
        good: createRegisteredModel(input: { name: "valid-multi-good" }) { __typename }
        bad: createRegisteredModel(input: { name: "valid/multi" }) { __typename ... on InvalidInputError { path } }
      }`);
      expect(data).toEqual({ good: { __typename: 'CreateRegisteredModelPayload' }, bad: { __typename: 'InvalidInputError', path: ['input', 'name'] } });
      expect((await model(r, 'valid-multi-good')).name).toBe('valid-multi-good');
      expect(await model(r, 'valid/multi')).toBeNull();
    });
  });
});

// Model versions through the public API: creation and registerModel, edits, delete, tags, metrics,
// sources and latestVersions. Ports MLflow's store tests (reference §11 rows 6, 9-13, 15, 27-28, R3-R5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion, getModel, getVersion, registerModel, transition, VERSION_FIELDS } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = (iso: string) => Date.parse(iso);

const ERRORS = '... on Error { code message } ... on InvalidInputError { path }';

/** Runs a version mutation whose payload is UpdateModelVersionPayload (update, tags, metrics). */
async function mutate(r: TestRegistry, field: string, inputType: string, input: Record<string, unknown>) {
  const data = await r.gql(
    `mutation($input: ${inputType}!) { ${field}(input: $input) { __typename ... on UpdateModelVersionPayload { modelVersion { ${VERSION_FIELDS} } } ${ERRORS} } }`,
    { input },
  );
  return data[field];
}

const update = (r: TestRegistry, input: Record<string, unknown>) => mutate(r, 'updateModelVersion', 'UpdateModelVersionInput', input);
const setTag = (r: TestRegistry, name: string, version: number, key: string, value: string) =>
  mutate(r, 'setModelVersionTag', 'SetModelVersionTagInput', { name, version, key, value });
const deleteTag = (r: TestRegistry, name: string, version: number, key: string) =>
  mutate(r, 'deleteModelVersionTag', 'DeleteModelVersionTagInput', { name, version, key });
const logMetrics = (r: TestRegistry, name: string, version: number, metrics: { key: string; value: number }[]) =>
  mutate(r, 'logModelVersionMetrics', 'LogModelVersionMetricsInput', { name, version, metrics });

async function createVersionChecked(r: TestRegistry, name: string, extra: Record<string, unknown> = {}) {
  const data = await r.gql(
    `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) {
      __typename ... on CreateModelVersionPayload { modelVersion { ${VERSION_FIELDS} } } ${ERRORS} } }`,
    { input: { name, source: `s3://models/${name}`, ...extra } },
  );
  return data.createModelVersion;
}

async function deleteVersion(r: TestRegistry, name: string, version: number) {
  const data = await r.gql(
    `mutation($input: DeleteModelVersionInput!) { deleteModelVersion(input: $input) {
      __typename ... on DeleteModelVersionPayload { deletedId name version } ... on Error { code message } } }`,
    { input: { name, version } },
  );
  return data.deleteModelVersion;
}

/** The model's version numbers, newest first. */
async function versionNumbers(r: TestRegistry, name: string): Promise<number[]> {
  const data = await r.gql(`query($name: String!) { registeredModel(name: $name) { versions(first: 1000) { edges { node { version } } } } }`, { name });
  return data.registeredModel.versions.edges.map((e: any) => e.node.version);
}

async function latest(r: TestRegistry, name: string, stages?: string[]): Promise<[number, string][]> {
  const data = await r.gql(`query($name: String!, $stages: [Stage!]) { registeredModel(name: $name) { latestVersions(stages: $stages) { version stage } } }`, {
    name,
    stages,
  });
  return data.registeredModel.latestVersions.map((v: any) => [v.version, v.stage]);
}

async function modelWithVersions(r: TestRegistry, name: string, count: number) {
  await createModel(r, name);
  for (let i = 0; i < count; i++) await createVersion(r, name);
}

function expectInvalid(result: any, path: string[]) {
  expect(result).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_PARAMETER_VALUE', path });
  expect(result.message.length).toBeGreaterThan(0);
}

function expectNotFound(result: any, message?: string) {
  expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'RESOURCE_DOES_NOT_EXIST' });
  if (message) expect(result.message).toBe(message);
}

/** A GraphQL-level rejection (e.g. a non-finite Float): a client error, never a 500 or a masked one. */
function expectGraphQLRejection(response: { status: number; errors?: { message: string }[] }) {
  expect(response.errors?.length).toBeGreaterThan(0);
  expect(response.status).toBeLessThan(500);
  for (const e of response.errors!) expect(e.message).not.toMatch(/Unexpected error/i);
}

describe.each(databaseKinds)('model versions (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
  });
  afterAll(() => r.stop());

  describe('createModelVersion', () => {
    it('v1 is NONE and READY with its source, a null run id, and no tags, metrics or aliases', async () => {
      await createModel(r, 'create-v1');
      const result = await createVersionChecked(r, 'create-v1', { source: 'runs:/abc123/model' });
      expect(result.__typename).toBe('CreateModelVersionPayload');
      const v = result.modelVersion;
      expect(v).toMatchObject({
        name: 'create-v1',
        version: 1,
        stage: 'NONE',
        status: 'READY',
        source: 'runs:/abc123/model',
        runId: null,
        description: null,
        tags: [],
        metrics: [],
        aliases: [],
      });
      expect(v.createdAt).toBe(v.updatedAt);
      expect(await getVersion(r, 'create-v1', 1)).toEqual(v);
    });

    it('numbers auto-increment; run id, description, tags and metrics persist', async () => {
      await createModel(r, 'create-many');
      await createVersion(r, 'create-many');
      const v2 = await createVersionChecked(r, 'create-many', {
        source: 's3://bucket/v2',
        runId: 'run-42',
        description: 'second',
        tags: [
          { key: 'framework', value: 'torch' },
          { key: 'dataset', value: 'old' },
          { key: 'dataset', value: 'imagenet' },
        ],
        metrics: [
          { key: 'accuracy', value: 0.91 },
          { key: 'loss', value: -1.5e-3 },
        ],
      });
      expect(v2.modelVersion.version).toBe(2);
      const stored = await getVersion(r, 'create-many', 2);
      expect(stored).toMatchObject({
        version: 2,
        source: 's3://bucket/v2',
        runId: 'run-42',
        description: 'second',
        tags: [
          { key: 'dataset', value: 'imagenet' },
          { key: 'framework', value: 'torch' },
        ],
        metrics: [
          { key: 'accuracy', value: 0.91 },
          { key: 'loss', value: -1.5e-3 },
        ],
      });
      expect((await createVersion(r, 'create-many')).modelVersion.version).toBe(3);
      expect((await createVersion(r, 'create-many')).modelVersion.version).toBe(4);
      expect(await versionNumbers(r, 'create-many')).toEqual([4, 3, 2, 1]);
      // Numbers are per model.
      await createModel(r, 'create-many-other');
      expect((await createVersion(r, 'create-many-other')).modelVersion.version).toBe(1);
    });

    it('a missing model is NotFoundError and creates nothing', async () => {
      const result = await createVersionChecked(r, 'create-missing');
      expectNotFound(result, 'Registered Model with name=create-missing not found');
      expect(await getModel(r, 'create-missing')).toBeNull();
    });

    it('bumps the model’s updatedAt to the version’s creation time', async () => {
      const created = await createModel(r, 'create-bump');
      await sleep(15);
      const v1 = (await createVersion(r, 'create-bump')).modelVersion;
      const after = await getModel(r, 'create-bump');
      expect(time(after.updatedAt)).toBeGreaterThan(time(created.registeredModel.updatedAt));
      expect(after.updatedAt).toBe(v1.createdAt);
      expect(after.createdAt).toBe(created.registeredModel.createdAt);
    });

    it('a failed create (bad input) neither adds a version nor uses up a number nor bumps the model', async () => {
      await createModel(r, 'create-failed');
      await createVersion(r, 'create-failed');
      const before = await getModel(r, 'create-failed');
      await sleep(15);
      expectInvalid(await createVersionChecked(r, 'create-failed', { tags: [{ key: '', value: 'v' }] }), ['input', 'tags', '0', 'key']);
      expectInvalid(await createVersionChecked(r, 'create-failed', { description: 'd'.repeat(5001) }), ['input', 'description']);
      expectInvalid(await createVersionChecked(r, 'create-failed', { runId: 'r'.repeat(257) }), ['input', 'runId']);
      expect(await getModel(r, 'create-failed')).toEqual(before);
      expect(await versionNumbers(r, 'create-failed')).toEqual([1]);
      expect((await createVersion(r, 'create-failed')).modelVersion.version).toBe(2);
    });
  });

  describe('registerModel', () => {
    it('creates the model when missing, then adds the next version to it', async () => {
      const first = await registerModel(r, 'register-new', { runId: 'r1', tags: [{ key: 'k', value: 'v' }] });
      expect(first.__typename).toBe('RegisterModelPayload');
      expect(first.registeredModel.name).toBe('register-new');
      expect(first.modelVersion).toMatchObject({ name: 'register-new', version: 1, stage: 'NONE', status: 'READY', runId: 'r1', tags: [{ key: 'k', value: 'v' }] });
      const model = await getModel(r, 'register-new', 'id name description createdAt updatedAt tags { key }');
      expect(model).toMatchObject({ id: first.registeredModel.id, description: null, tags: [] });

      const second = await registerModel(r, 'register-new', { source: 's3://other' });
      expect(second.registeredModel.id).toBe(first.registeredModel.id);
      expect(second.modelVersion).toMatchObject({ version: 2, source: 's3://other', runId: null, tags: [] });
      expect(await versionNumbers(r, 'register-new')).toEqual([2, 1]);
    });

    it('on an existing model keeps its description and tags and bumps its updatedAt', async () => {
      const created = await createModel(r, 'register-existing', { description: 'kept', tags: [{ key: 'team', value: 'x' }] });
      await createVersion(r, 'register-existing');
      await sleep(15);
      const result = await registerModel(r, 'register-existing');
      expect(result.modelVersion.version).toBe(2);
      const model = await getModel(r, 'register-existing', 'id description createdAt updatedAt tags { key value }');
      expect(model).toMatchObject({ id: created.registeredModel.id, description: 'kept', tags: [{ key: 'team', value: 'x' }], createdAt: created.registeredModel.createdAt });
      expect(time(model.updatedAt)).toBeGreaterThan(time(created.registeredModel.updatedAt));
      expect(model.updatedAt).toBe(result.modelVersion.createdAt);
    });

    it('numbers continue after deletes, as with createModelVersion', async () => {
      await registerModel(r, 'register-gap');
      await registerModel(r, 'register-gap');
      await deleteVersion(r, 'register-gap', 2);
      expect((await registerModel(r, 'register-gap')).modelVersion.version).toBe(3);
    });

    it('bad input is InvalidInputError and creates no model', async () => {
      expectInvalid(await registerModel(r, 'register/bad'), ['input', 'name']);
      expectInvalid(await registerModel(r, 'register-bad\u0000'), ['input', 'name']);
      expectInvalid(await registerModel(r, 'register-bad', { source: '' }), ['input', 'source']);
      expectInvalid(await registerModel(r, 'register-bad', { metrics: [{ key: 'm', value: 1 }, { key: '', value: 2 }] }), ['input', 'metrics', '1', 'key']);
      expect(await getModel(r, 'register/bad')).toBeNull();
      expect(await getModel(r, 'register-bad')).toBeNull();
    });
  });

  describe('updateModelVersion', () => {
    it('sets the description and the version’s updatedAt, but not the model’s updatedAt', async () => {
      await modelWithVersions(r, 'update-desc', 2);
      const modelBefore = await getModel(r, 'update-desc');
      const v1 = await getVersion(r, 'update-desc', 1);
      await sleep(15);
      const result = await update(r, { name: 'update-desc', version: 1, description: 'better' });
      expect(result.__typename).toBe('UpdateModelVersionPayload');
      expect(result.modelVersion).toMatchObject({ version: 1, description: 'better', stage: 'NONE', source: v1.source, createdAt: v1.createdAt });
      expect(time(result.modelVersion.updatedAt)).toBeGreaterThan(time(v1.updatedAt));
      expect((await getVersion(r, 'update-desc', 1)).description).toBe('better');
      expect((await getVersion(r, 'update-desc', 2)).description).toBeNull();
      expect(await getModel(r, 'update-desc')).toEqual(modelBefore);

      const cleared = await update(r, { name: 'update-desc', version: 1, description: null });
      expect(cleared.modelVersion.description).toBeNull();
      expect((await getVersion(r, 'update-desc', 1)).description).toBeNull();
    });

    it('a stage transition and a description update both persist; the source never changes', async () => {
      await modelWithVersions(r, 'update-stage', 1);
      const source = (await getVersion(r, 'update-stage', 1)).source;
      await transition(r, { name: 'update-stage', version: 1, stage: 'PRODUCTION' });
      await update(r, { name: 'update-stage', version: 1, description: 'in prod' });
      expect(await getVersion(r, 'update-stage', 1, 'stage description source')).toEqual({ stage: 'PRODUCTION', description: 'in prod', source });
    });

    it('a stage transition bumps the model’s updatedAt', async () => {
      await modelWithVersions(r, 'update-transition', 1);
      const before = await getModel(r, 'update-transition');
      await sleep(15);
      await transition(r, { name: 'update-transition', version: 1, stage: 'STAGING' });
      expect(time((await getModel(r, 'update-transition')).updatedAt)).toBeGreaterThan(time(before.updatedAt));
    });

    it('a missing version or model is NotFoundError; a long description is InvalidInputError; neither changes anything', async () => {
      await modelWithVersions(r, 'update-errors', 1);
      const before = await getVersion(r, 'update-errors', 1);
      expectNotFound(await update(r, { name: 'update-errors', version: 2, description: 'x' }), 'Model Version (name=update-errors, version=2) not found');
      expectNotFound(await update(r, { name: 'update-errors-missing', version: 1, description: 'x' }), 'Registered Model with name=update-errors-missing not found');
      expectInvalid(await update(r, { name: 'update-errors', version: 1, description: 'd'.repeat(5001) }), ['input', 'description']);
      expectInvalid(await update(r, { name: 'update-errors', version: 1, description: 'nul\u0000' }), ['input', 'description']);
      expectInvalid(await update(r, { name: 'update-errors', version: 0, description: 'x' }), ['input', 'version']);
      expect(await getVersion(r, 'update-errors', 1)).toEqual(before);
      expect((await update(r, { name: 'update-errors', version: 1, description: 'd'.repeat(5000) })).modelVersion.description).toHaveLength(5000);
    });
  });

  describe('deleteModelVersion', () => {
    it('deletes the version; afterwards get is null and update, tag and delete are NotFoundError', async () => {
      await modelWithVersions(r, 'delete-one', 2);
      const v2 = await getVersion(r, 'delete-one', 2);
      const result = await deleteVersion(r, 'delete-one', 2);
      expect(result).toEqual({ __typename: 'DeleteModelVersionPayload', deletedId: v2.id, name: 'delete-one', version: 2 });
      expect(await getVersion(r, 'delete-one', 2)).toBeNull();
      expect((await r.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: v2.id })).node).toBeNull();
      const notFound = 'Model Version (name=delete-one, version=2) not found';
      expectNotFound(await deleteVersion(r, 'delete-one', 2), notFound);
      expectNotFound(await update(r, { name: 'delete-one', version: 2, description: 'x' }), notFound);
      expectNotFound(await setTag(r, 'delete-one', 2, 'k', 'v'), notFound);
      expectNotFound(await deleteTag(r, 'delete-one', 2, 'k'), notFound);
      expectNotFound(await logMetrics(r, 'delete-one', 2, [{ key: 'm', value: 1 }]), notFound);
      expectNotFound(await deleteVersion(r, 'delete-one-missing', 1), 'Registered Model with name=delete-one-missing not found');
      expect(await versionNumbers(r, 'delete-one')).toEqual([1]);
      expect((await getVersion(r, 'delete-one', 1)).version).toBe(1);
    });

    it('numbers are never reused: after deleting v1 and v3 of three, the next is v4', async () => {
      await modelWithVersions(r, 'delete-numbers', 3);
      await deleteVersion(r, 'delete-numbers', 1);
      await deleteVersion(r, 'delete-numbers', 3);
      expect(await versionNumbers(r, 'delete-numbers')).toEqual([2]);
      expect((await createVersion(r, 'delete-numbers')).modelVersion.version).toBe(4);
      expect(await versionNumbers(r, 'delete-numbers')).toEqual([4, 2]);
      // Even with every version gone.
      await deleteVersion(r, 'delete-numbers', 2);
      await deleteVersion(r, 'delete-numbers', 4);
      expect(await versionNumbers(r, 'delete-numbers')).toEqual([]);
      expect((await createVersion(r, 'delete-numbers')).modelVersion.version).toBe(5);
    });

    it('bumps the model’s updatedAt', async () => {
      await modelWithVersions(r, 'delete-bump', 2);
      const before = await getModel(r, 'delete-bump');
      await sleep(15);
      await deleteVersion(r, 'delete-bump', 1);
      const after = await getModel(r, 'delete-bump');
      expect(time(after.updatedAt)).toBeGreaterThan(time(before.updatedAt));
      expect(after.createdAt).toBe(before.createdAt);
    });

    it('an impossible name or number is NotFoundError, not a GraphQL error', async () => {
      await modelWithVersions(r, 'delete-odd', 1);
      expectNotFound(await deleteVersion(r, 'delete-odd', 0));
      expectNotFound(await deleteVersion(r, 'delete-odd', -1));
      expectNotFound(await deleteVersion(r, 'delete-odd\u0000', 1));
      expect(await versionNumbers(r, 'delete-odd')).toEqual([1]);
    });
  });

  describe('version tags', () => {
    it('set adds and overwrites; tags stay on their own version and model', async () => {
      await modelWithVersions(r, 'vtags-a', 2);
      await modelWithVersions(r, 'vtags-b', 1);
      const added = await setTag(r, 'vtags-a', 1, 'env', 'dev');
      expect(added.__typename).toBe('UpdateModelVersionPayload');
      expect(added.modelVersion.tags).toEqual([{ key: 'env', value: 'dev' }]);
      await setTag(r, 'vtags-a', 1, 'owner', 'bob');
      const overwritten = await setTag(r, 'vtags-a', 1, 'env', 'prod');
      expect(overwritten.modelVersion.tags).toEqual([
        { key: 'env', value: 'prod' },
        { key: 'owner', value: 'bob' },
      ]);
      await setTag(r, 'vtags-a', 2, 'env', 'v2');
      await setTag(r, 'vtags-b', 1, 'env', 'b1');
      expect((await getVersion(r, 'vtags-a', 1)).tags).toEqual([
        { key: 'env', value: 'prod' },
        { key: 'owner', value: 'bob' },
      ]);
      expect((await getVersion(r, 'vtags-a', 2)).tags).toEqual([{ key: 'env', value: 'v2' }]);
      expect((await getVersion(r, 'vtags-b', 1)).tags).toEqual([{ key: 'env', value: 'b1' }]);
      // Version tags are not model tags.
      expect((await getModel(r, 'vtags-a', 'tags { key }')).tags).toEqual([]);
    });

    it('delete removes only that key of that version; an absent key is a no-op', async () => {
      await modelWithVersions(r, 'vtags-del', 2);
      await setTag(r, 'vtags-del', 1, 'a', '1');
      await setTag(r, 'vtags-del', 1, 'b', '2');
      await setTag(r, 'vtags-del', 2, 'a', 'other');
      const deleted = await deleteTag(r, 'vtags-del', 1, 'a');
      expect(deleted.__typename).toBe('UpdateModelVersionPayload');
      expect(deleted.modelVersion.tags).toEqual([{ key: 'b', value: '2' }]);
      expect((await getVersion(r, 'vtags-del', 2)).tags).toEqual([{ key: 'a', value: 'other' }]);
      const again = await deleteTag(r, 'vtags-del', 1, 'a');
      expect(again.__typename).toBe('UpdateModelVersionPayload');
      expect(again.modelVersion.tags).toEqual([{ key: 'b', value: '2' }]);
    });

    it('missing versions and bad keys or values are rejected and change nothing', async () => {
      await modelWithVersions(r, 'vtags-bad', 1);
      await setTag(r, 'vtags-bad', 1, 'k', 'v');
      const before = await getVersion(r, 'vtags-bad', 1);
      expectNotFound(await setTag(r, 'vtags-bad', 2, 'k', 'v'), 'Model Version (name=vtags-bad, version=2) not found');
      expectNotFound(await setTag(r, 'vtags-bad-missing', 1, 'k', 'v'));
      expectInvalid(await setTag(r, 'vtags-bad', 1, '', 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'vtags-bad', 1, 'k'.repeat(251), 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'vtags-bad', 1, 'k', 'v'.repeat(5001)), ['input', 'value']);
      expectInvalid(await setTag(r, 'vtags-bad', 1, 'k\u0000', 'v'), ['input', 'key']);
      expectInvalid(await setTag(r, 'vtags-bad', 1, 'k', 'v\u0000'), ['input', 'value']);
      expectInvalid(await setTag(r, 'vtags-bad\u0000', 1, 'k', 'v'), ['input', 'name']);
      expectInvalid(await setTag(r, 'vtags-bad', 0, 'k', 'v'), ['input', 'version']);
      expectInvalid(await deleteTag(r, 'vtags-bad', 1, ''), ['input', 'key']);
      expect(await getVersion(r, 'vtags-bad', 1)).toEqual(before);
      const ok = await setTag(r, 'vtags-bad', 1, 'k'.repeat(250), 'v'.repeat(5000));
      expect(ok.modelVersion.tags).toContainEqual({ key: 'k'.repeat(250), value: 'v'.repeat(5000) });
    });

    it('takes every value the limits allow, however little it compresses, and finds it by filter', async () => {
      // PostgreSQL cannot index a value over a third of a page (2,704 bytes) as it is: 5,000
      // random characters, or a 2,048-character source of 3-byte characters, must still be stored and found.
      const random = (n: number) => Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(Math.random() * 94))).join('');
      const value = random(5000);
      // Random, as PostgreSQL compresses an index entry over 512 bytes: '€' repeated would fit.
      const source = Array.from({ length: 2048 }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 20000))).join('');
      await createModel(r, 'vtags-long', { tags: [{ key: 'blob', value }] });
      const created = await createVersionChecked(r, 'vtags-long', { source, tags: [{ key: 'blob', value }] });
      expect(created.__typename).toBe('CreateModelVersionPayload');
      expect(created.modelVersion.source).toBe(source);
      const set = await setTag(r, 'vtags-long', 1, 'other', random(5000));
      expect(set.__typename).toBe('UpdateModelVersionPayload');
      const found = await r.gql(
        `query($value: String!, $source: String!) {
          byTag: modelVersions(first: 5, filter: { tags: [{ key: "blob", value: { equals: $value } }] }) { edges { node { name version } } }
          bySource: modelVersions(first: 5, filter: { source: { in: [$source] } }) { edges { node { name version } } }
          models: registeredModels(first: 5, filter: { tags: [{ key: "blob", value: { in: ["x", $value] } }] }) { edges { node { name } } } }`,
        { value, source },
      );
      expect(found.byTag.edges.map((e: any) => e.node)).toEqual([{ name: 'vtags-long', version: 1 }]);
      expect(found.bySource.edges.map((e: any) => e.node)).toEqual([{ name: 'vtags-long', version: 1 }]);
      expect(found.models.edges.map((e: any) => e.node.name)).toEqual(['vtags-long']);
    });

    it('a non-integer version is a GraphQL validation error', async () => {
      await modelWithVersions(r, 'vtags-int', 1);
      const response = await r.request(`mutation { setModelVersionTag(input: { name: "vtags-int", version: "1.5", key: "k", value: "v" }) { __typename } }`);
      expectGraphQLRejection(response);
      expect((await getVersion(r, 'vtags-int', 1)).tags).toEqual([]);
    });
  });

  describe('logModelVersionMetrics', () => {
    it('adds new metrics and overwrites existing ones, per version', async () => {
      await modelWithVersions(r, 'metrics-log', 2);
      await createVersion(r, 'metrics-log', { metrics: [{ key: 'accuracy', value: 0.8 }] });
      const added = await logMetrics(r, 'metrics-log', 3, [
        { key: 'f1', value: 0.7 },
        { key: 'latency_ms', value: 12 },
      ]);
      expect(added.__typename).toBe('UpdateModelVersionPayload');
      expect(added.modelVersion.metrics).toEqual([
        { key: 'accuracy', value: 0.8 },
        { key: 'f1', value: 0.7 },
        { key: 'latency_ms', value: 12 },
      ]);
      const overwritten = await logMetrics(r, 'metrics-log', 3, [
        { key: 'accuracy', value: 0.95 },
        { key: 'f1', value: 0.1 },
        { key: 'f1', value: 0.75 },
      ]);
      expect(overwritten.modelVersion.metrics).toEqual([
        { key: 'accuracy', value: 0.95 },
        { key: 'f1', value: 0.75 },
        { key: 'latency_ms', value: 12 },
      ]);
      expect((await getVersion(r, 'metrics-log', 3)).metrics).toEqual(overwritten.modelVersion.metrics);
      expect((await getVersion(r, 'metrics-log', 2)).metrics).toEqual([]);
      // Extreme finite values round-trip exactly.
      const extremes = await logMetrics(r, 'metrics-log', 1, [
        { key: 'max', value: Number.MAX_VALUE },
        { key: 'min', value: -Number.MAX_VALUE },
        { key: 'tiny', value: Number.MIN_VALUE },
        { key: 'zero', value: 0 },
      ]);
      expect(extremes.modelVersion.metrics).toEqual([
        { key: 'max', value: Number.MAX_VALUE },
        { key: 'min', value: -Number.MAX_VALUE },
        { key: 'tiny', value: Number.MIN_VALUE },
        { key: 'zero', value: 0 },
      ]);
    });

    it('non-finite values are rejected (as InvalidInputError or a GraphQL error) and change nothing', async () => {
      await modelWithVersions(r, 'metrics-finite', 1);
      await logMetrics(r, 'metrics-finite', 1, [{ key: 'accuracy', value: 0.5 }]);
      const before = await getVersion(r, 'metrics-finite', 1);
      // A literal that overflows a double parses to ±Infinity: the registry rejects it.
      for (const literal of ['1e400', '-1e400']) {
        const data = await r.gql(`mutation { logModelVersionMetrics(input: { name: "metrics-finite", version: 1, metrics: [{ key: "accuracy", value: 1 }, { key: "bad", value: ${literal} }] }) { __typename ${ERRORS} } }`);
        expectInvalid(data.logModelVersionMetrics, ['input', 'metrics', '1', 'value']);
      }
      const created = await r.gql(`mutation { createModelVersion(input: { name: "metrics-finite", source: "s3://x", metrics: [{ key: "m", value: 1e999 }] }) { __typename ${ERRORS} } }`);
      expectInvalid(created.createModelVersion, ['input', 'metrics', '0', 'value']);
      // NaN and Infinity cannot be written in GraphQL or JSON; a client sending them gets a GraphQL error.
      expectGraphQLRejection(await r.request(`mutation { logModelVersionMetrics(input: { name: "metrics-finite", version: 1, metrics: [{ key: "accuracy", value: NaN }] }) { __typename } }`));
      expectGraphQLRejection(await r.request(`mutation { logModelVersionMetrics(input: { name: "metrics-finite", version: 1, metrics: [{ key: "accuracy", value: Infinity }] }) { __typename } }`));
      const viaVariables = `mutation($input: LogModelVersionMetricsInput!) { logModelVersionMetrics(input: $input) { __typename ${ERRORS} } }`;
      for (const value of [NaN, Infinity, -Infinity]) {
        const response = await r.request(viaVariables, { input: { name: 'metrics-finite', version: 1, metrics: [{ key: 'accuracy', value }] } });
        if (response.errors) expectGraphQLRejection(response);
        else expectInvalid(response.data.logModelVersionMetrics, ['input', 'metrics', '0', 'value']);
      }
      expect(await getVersion(r, 'metrics-finite', 1)).toEqual(before);
      expect(await versionNumbers(r, 'metrics-finite')).toEqual([1]);
    });

    it('at most 100 metrics per request, at least one, with keys of 1-250 characters', async () => {
      await modelWithVersions(r, 'metrics-limits', 1);
      const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i }));
      expectInvalid(await logMetrics(r, 'metrics-limits', 1, metrics(101)), ['input', 'metrics']);
      expectInvalid(await logMetrics(r, 'metrics-limits', 1, []), ['input', 'metrics']);
      expectInvalid(await logMetrics(r, 'metrics-limits', 1, [{ key: '', value: 1 }]), ['input', 'metrics', '0', 'key']);
      expectInvalid(await logMetrics(r, 'metrics-limits', 1, [{ key: 'k'.repeat(251), value: 1 }]), ['input', 'metrics', '0', 'key']);
      expectInvalid(await logMetrics(r, 'metrics-limits', 1, [{ key: 'nul\u0000', value: 1 }]), ['input', 'metrics', '0', 'key']);
      expectInvalid(await createVersionChecked(r, 'metrics-limits', { metrics: metrics(101) }), ['input', 'metrics']);
      expect((await getVersion(r, 'metrics-limits', 1)).metrics).toEqual([]);
      expect(await versionNumbers(r, 'metrics-limits')).toEqual([1]);

      const ok = await logMetrics(r, 'metrics-limits', 1, metrics(100));
      expect(ok.modelVersion.metrics).toHaveLength(100);
      expect((await getVersion(r, 'metrics-limits', 1)).metrics).toContainEqual({ key: 'm99', value: 99 });
      expectNotFound(await logMetrics(r, 'metrics-limits', 9, [{ key: 'm', value: 1 }]));
    });
  });

  describe('sources', () => {
    it('are 1-2,048 characters without NUL; the stored source is returned unchanged', async () => {
      await createModel(r, 'source-limits');
      expectInvalid(await createVersionChecked(r, 'source-limits', { source: '' }), ['input', 'source']);
      expectInvalid(await createVersionChecked(r, 'source-limits', { source: 's'.repeat(2049) }), ['input', 'source']);
      expectInvalid(await createVersionChecked(r, 'source-limits', { source: 's3://a\u0000b' }), ['input', 'source']);
      expectInvalid(await registerModel(r, 'source-limits', { source: 's'.repeat(2049) }), ['input', 'source']);
      expect(await versionNumbers(r, 'source-limits')).toEqual([]);

      const long = `s3://bucket/${'p'.repeat(2048 - 12)}`;
      expect(long).toHaveLength(2048);
      const ok = await createVersionChecked(r, 'source-limits', { source: long });
      expect(ok.modelVersion.source).toBe(long);
      expect((await getVersion(r, 'source-limits', 1)).source).toBe(long);
      // Unchanged by a stage change or a description update (MLflow's download URI).
      await transition(r, { name: 'source-limits', version: 1, stage: 'STAGING' });
      await update(r, { name: 'source-limits', version: 1, description: 'x' });
      expect((await getVersion(r, 'source-limits', 1)).source).toBe(long);
      const single = await createVersionChecked(r, 'source-limits', { source: 'x' });
      expect(single.modelVersion).toMatchObject({ version: 2, source: 'x' });
    });
  });

  describe('latestVersions', () => {
    it('is empty for a model without versions', async () => {
      await createModel(r, 'latest-empty');
      expect(await latest(r, 'latest-empty')).toEqual([]);
      expect(await latest(r, 'latest-empty', ['PRODUCTION'])).toEqual([]);
    });

    it('gives the highest number per stage, ordered NONE, STAGING, PRODUCTION, ARCHIVED', async () => {
      await modelWithVersions(r, 'latest-stages', 7);
      // Transition order differs from number order: "latest" is the highest number, not the newest move.
      const plan: [number, string][] = [
        [6, 'PRODUCTION'],
        [3, 'PRODUCTION'],
        [5, 'STAGING'],
        [2, 'STAGING'],
        [4, 'ARCHIVED'],
        [1, 'ARCHIVED'],
      ];
      for (const [version, stage] of plan) {
        expect((await transition(r, { name: 'latest-stages', version, stage })).modelVersion.stage).toBe(stage);
      }
      expect(await latest(r, 'latest-stages')).toEqual([
        [7, 'NONE'],
        [5, 'STAGING'],
        [6, 'PRODUCTION'],
        [4, 'ARCHIVED'],
      ]);
    });

    it('keeps only the stages asked for, still in stage order', async () => {
      await modelWithVersions(r, 'latest-filter', 4);
      await transition(r, { name: 'latest-filter', version: 1, stage: 'PRODUCTION' });
      await transition(r, { name: 'latest-filter', version: 2, stage: 'STAGING' });
      await transition(r, { name: 'latest-filter', version: 3, stage: 'PRODUCTION' });
      expect(await latest(r, 'latest-filter', ['PRODUCTION'])).toEqual([[3, 'PRODUCTION']]);
      expect(await latest(r, 'latest-filter', ['PRODUCTION', 'STAGING'])).toEqual([
        [2, 'STAGING'],
        [3, 'PRODUCTION'],
      ]);
      expect(await latest(r, 'latest-filter', ['ARCHIVED', 'NONE'])).toEqual([[4, 'NONE']]);
      expect(await latest(r, 'latest-filter', ['ARCHIVED'])).toEqual([]);
      // Several selections in one query each get their own answer.
      const data = await r.gql(`{ registeredModel(name: "latest-filter") { prod: latestVersions(stages: [PRODUCTION]) { version } staging: latestVersions(stages: [STAGING]) { version } all: latestVersions { version } } }`);
      expect(data.registeredModel).toEqual({ prod: [{ version: 3 }], staging: [{ version: 2 }], all: [{ version: 4 }, { version: 2 }, { version: 3 }] });
    });

    it('after deleting the latest PRODUCTION version, the previous PRODUCTION one is latest', async () => {
      await modelWithVersions(r, 'latest-delete', 3);
      await transition(r, { name: 'latest-delete', version: 1, stage: 'PRODUCTION' });
      await transition(r, { name: 'latest-delete', version: 2, stage: 'PRODUCTION' });
      expect(await latest(r, 'latest-delete', ['PRODUCTION'])).toEqual([[2, 'PRODUCTION']]);
      await deleteVersion(r, 'latest-delete', 2);
      expect(await latest(r, 'latest-delete', ['PRODUCTION'])).toEqual([[1, 'PRODUCTION']]);
      expect(await latest(r, 'latest-delete')).toEqual([
        [3, 'NONE'],
        [1, 'PRODUCTION'],
      ]);
      await deleteVersion(r, 'latest-delete', 1);
      expect(await latest(r, 'latest-delete', ['PRODUCTION'])).toEqual([]);
    });

    it('is per model', async () => {
      await modelWithVersions(r, 'latest-iso-a', 2);
      await modelWithVersions(r, 'latest-iso-b', 1);
      await transition(r, { name: 'latest-iso-a', version: 2, stage: 'PRODUCTION' });
      const data = await r.gql(`{ registeredModels(first: 10, filter: { name: { like: "latest-iso-%" } }) { edges { node { name latestVersions { version stage } } } } }`);
      expect(data.registeredModels.edges.map((e: any) => e.node)).toEqual([
        { name: 'latest-iso-a', latestVersions: [{ version: 1, stage: 'NONE' }, { version: 2, stage: 'PRODUCTION' }] },
        { name: 'latest-iso-b', latestVersions: [{ version: 1, stage: 'NONE' }] },
      ]);
    });
  });
});

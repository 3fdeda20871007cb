// Stage changes: archiving, preconditions, guarded promotion, and the history kept for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion, getModel, promote, registerModel, stages, transition } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function modelWithVersions(r: TestRegistry, name: string, count: number, metrics?: { key: string; value: number }[]) {
  await createModel(r, name);
  for (let i = 0; i < count; i++) await createVersion(r, name, metrics ? { metrics } : {});
}

describe.each(databaseKinds)('stage transitions (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
  });
  afterAll(() => r.stop());

  it('without archiving, two versions can share a stage and NONE and ARCHIVED are allowed targets', async () => {
    await modelWithVersions(r, 'no-archive', 3);
    await transition(r, { name: 'no-archive', version: 1, stage: 'STAGING' });
    await transition(r, { name: 'no-archive', version: 2, stage: 'STAGING' });
    await transition(r, { name: 'no-archive', version: 3, stage: 'ARCHIVED' });
    expect(await stages(r, 'no-archive')).toEqual({ 1: 'STAGING', 2: 'STAGING', 3: 'ARCHIVED' });
    const back = await transition(r, { name: 'no-archive', version: 3, stage: 'NONE' });
    expect(back.modelVersion.stage).toBe('NONE');
    expect(back.transitions.map((t: any) => [t.fromStage, t.toStage])).toEqual([['ARCHIVED', 'NONE']]);
  });

  it('archiveExistingVersions archives the others in the target stage only, in one step with one record each', async () => {
    await modelWithVersions(r, 'archiving', 3);
    await transition(r, { name: 'archiving', version: 1, stage: 'STAGING' });
    await transition(r, { name: 'archiving', version: 2, stage: 'PRODUCTION' });
    const result = await transition(r, { name: 'archiving', version: 3, stage: 'STAGING', archiveExistingVersions: true, comment: 'new candidate' });
    expect(result.__typename).toBe('TransitionModelVersionStagePayload');
    expect(result.archivedVersions.map((v: any) => [v.version, v.stage])).toEqual([[1, 'ARCHIVED']]);
    expect(result.transitions.map((t: any) => [t.version, t.fromStage, t.toStage, t.comment])).toEqual([
      [3, 'NONE', 'STAGING', 'new candidate'],
      [1, 'STAGING', 'ARCHIVED', 'new candidate'],
    ]);
    // Archived and promoted versions change in the same transaction, at the same instant.
    expect(result.archivedVersions[0].updatedAt).toBe(result.modelVersion.updatedAt);
    expect(await stages(r, 'archiving')).toEqual({ 1: 'ARCHIVED', 2: 'PRODUCTION', 3: 'STAGING' });

    const toProd = await transition(r, { name: 'archiving', version: 3, stage: 'PRODUCTION', archiveExistingVersions: true });
    expect(toProd.archivedVersions.map((v: any) => v.version)).toEqual([2]);
    expect(await stages(r, 'archiving')).toEqual({ 1: 'ARCHIVED', 2: 'ARCHIVED', 3: 'PRODUCTION' });
  });

  it('archiving into NONE or ARCHIVED is INVALID_PARAMETER_VALUE and changes nothing', async () => {
    await modelWithVersions(r, 'bad-archive', 2);
    for (const stage of ['NONE', 'ARCHIVED']) {
      const result = await transition(r, { name: 'bad-archive', version: 1, stage, archiveExistingVersions: true });
      expect(result).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_PARAMETER_VALUE', path: ['input', 'archiveExistingVersions'] });
    }
    expect(await stages(r, 'bad-archive')).toEqual({ 1: 'NONE', 2: 'NONE' });
  });

  it('expectedStage is an optimistic lock: a mismatch is PRECONDITION_FAILED and nothing changes', async () => {
    await modelWithVersions(r, 'expected', 2);
    await transition(r, { name: 'expected', version: 2, stage: 'PRODUCTION' });
    const before = await getModel(r, 'expected');
    const failed = await transition(r, { name: 'expected', version: 1, stage: 'PRODUCTION', expectedStage: 'STAGING', archiveExistingVersions: true });
    expect(failed).toMatchObject({ __typename: 'PreconditionFailedError', code: 'PRECONDITION_FAILED' });
    expect(failed.message).toContain('NONE');
    expect(await stages(r, 'expected')).toEqual({ 1: 'NONE', 2: 'PRODUCTION' });
    expect((await getModel(r, 'expected')).updatedAt).toBe(before.updatedAt);
    const ok = await transition(r, { name: 'expected', version: 1, stage: 'STAGING', expectedStage: 'NONE' });
    expect(ok.modelVersion.stage).toBe('STAGING');
  });

  it('metric requirements must all hold; a missing metric does not hold', async () => {
    await modelWithVersions(r, 'requirements', 1, [
      { key: 'accuracy', value: 0.93 },
      { key: 'latency_ms', value: 40 },
    ]);
    const cases: [unknown[], string][] = [
      [[{ metric: 'accuracy', op: 'GT', value: 0.95 }], 'PreconditionFailedError'],
      [[{ metric: 'recall', op: 'GTE', value: 0 }], 'PreconditionFailedError'],
      [[{ metric: 'accuracy', op: 'GT', value: 0.9 }, { metric: 'latency_ms', op: 'LT', value: 30 }], 'PreconditionFailedError'],
      [[{ metric: 'accuracy', op: 'EQ', value: 0.93 }, { metric: 'latency_ms', op: 'LTE', value: 40 }], 'TransitionModelVersionStagePayload'],
    ];
    for (const [requirements, typename] of cases) {
      await transition(r, { name: 'requirements', version: 1, stage: 'NONE' });
      const result = await transition(r, { name: 'requirements', version: 1, stage: 'STAGING', requirements });
      expect(result.__typename, JSON.stringify(requirements)).toBe(typename);
      expect((await stages(r, 'requirements'))[1]).toBe(typename === 'PreconditionFailedError' ? 'NONE' : 'STAGING');
    }
  });

  it('missing model or version is NotFoundError', async () => {
    await modelWithVersions(r, 'exists', 1);
    expect((await transition(r, { name: 'absent-model', version: 1, stage: 'STAGING' })).__typename).toBe('NotFoundError');
    expect((await transition(r, { name: 'exists', version: 9, stage: 'STAGING' })).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('a stage change bumps the model updatedAt; the history keeps every change oldest first', async () => {
    await modelWithVersions(r, 'history', 1);
    const before = await getModel(r, 'history');
    await sleep(15);
    await transition(r, { name: 'history', version: 1, stage: 'STAGING', comment: 'qa' });
    await transition(r, { name: 'history', version: 1, stage: 'PRODUCTION' });
    await transition(r, { name: 'history', version: 1, stage: 'ARCHIVED' });
    const after = await getModel(r, 'history', 'updatedAt versions(first: 1) { edges { node { transitions(first: 10) { totalCount edges { node { fromStage toStage comment } } } } } }');
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    const history = after.versions.edges[0].node.transitions;
    expect(history.totalCount).toBe(3);
    expect(history.edges.map((e: any) => `${e.node.fromStage}>${e.node.toStage}`)).toEqual(['NONE>STAGING', 'STAGING>PRODUCTION', 'PRODUCTION>ARCHIVED']);
  });

  it('stage history outlives the version and the model', async () => {
    await modelWithVersions(r, 'doomed', 2);
    const t = await transition(r, { name: 'doomed', version: 1, stage: 'PRODUCTION' });
    await r.gql(`mutation { deleteModelVersion(input: { name: "doomed", version: 1 }) { __typename } }`);
    const kept = await r.gql(`query($id: ID!) { node(id: $id) { ... on StageTransition { name version toStage modelVersion { version } } } }`, {
      id: t.transitions[0].id,
    });
    expect(kept.node).toEqual({ name: 'doomed', version: 1, toStage: 'PRODUCTION', modelVersion: null });
    await transition(r, { name: 'doomed', version: 2, stage: 'STAGING' });
    await r.gql(`mutation { deleteRegisteredModel(input: { name: "doomed" }) { __typename } }`);
    const history = await r.gql(`{ stageTransitions(first: 100, filter: { name: "doomed" }) { edges { node { version toStage } } } }`);
    expect(history.stageTransitions.edges.map((e: any) => e.node)).toEqual([
      { version: 1, toStage: 'PRODUCTION' },
      { version: 2, toStage: 'STAGING' },
    ]);
  });

  it('stageTransitions filters by toStages', async () => {
    await modelWithVersions(r, 'filtered', 2);
    await transition(r, { name: 'filtered', version: 1, stage: 'STAGING' });
    await transition(r, { name: 'filtered', version: 1, stage: 'PRODUCTION' });
    await transition(r, { name: 'filtered', version: 2, stage: 'PRODUCTION', archiveExistingVersions: true });
    const data = await r.gql(`{ stageTransitions(first: 100, filter: { name: "filtered", toStages: [PRODUCTION] }) { totalCount edges { node { version } } } }`);
    expect(data.stageTransitions.edges.map((e: any) => e.node.version)).toEqual([1, 2]);
    expect(data.stageTransitions.totalCount).toBe(2);
  });
});

describe.each(databaseKinds)('promoteModelVersion (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
  });
  afterAll(() => r.stop());

  it('promotes the newest STAGING version to PRODUCTION only if accuracy > 0.9, archiving the old PRODUCTION', async () => {
    await registerModel(r, 'fraud', { metrics: [{ key: 'accuracy', value: 0.88 }] });
    await registerModel(r, 'fraud', { metrics: [{ key: 'accuracy', value: 0.91 }] });
    await registerModel(r, 'fraud', { metrics: [{ key: 'accuracy', value: 0.85 }] });
    await transition(r, { name: 'fraud', version: 1, stage: 'PRODUCTION' });
    await transition(r, { name: 'fraud', version: 2, stage: 'STAGING' });
    const requirements = [{ metric: 'accuracy', op: 'GT', value: 0.9 }];
    const promoted = await promote(r, { name: 'fraud', fromStage: 'STAGING', toStage: 'PRODUCTION', requirements, comment: 'weekly' });
    expect(promoted).toMatchObject({
      __typename: 'TransitionModelVersionStagePayload',
      modelVersion: { version: 2, stage: 'PRODUCTION' },
      archivedVersions: [{ version: 1 }],
      transitions: [
        { version: 2, fromStage: 'STAGING', toStage: 'PRODUCTION' },
        { version: 1, fromStage: 'PRODUCTION', toStage: 'ARCHIVED' },
      ],
    });
    // v3 is the newest in STAGING now but fails the requirement: nothing changes.
    await transition(r, { name: 'fraud', version: 3, stage: 'STAGING' });
    const refused = await promote(r, { name: 'fraud', fromStage: 'STAGING', toStage: 'PRODUCTION', requirements });
    expect(refused).toMatchObject({ __typename: 'PreconditionFailedError', code: 'PRECONDITION_FAILED' });
    expect(refused.message).toContain('accuracy');
    expect(await stages(r, 'fraud')).toEqual({ 1: 'ARCHIVED', 2: 'PRODUCTION', 3: 'STAGING' });
  });

  it('takes the newest version of fromStage, and fails cleanly when the stage is empty or the model missing', async () => {
    await modelWithVersions(r, 'newest', 3);
    await transition(r, { name: 'newest', version: 1, stage: 'STAGING' });
    await transition(r, { name: 'newest', version: 3, stage: 'STAGING' });
    const result = await promote(r, { name: 'newest', fromStage: 'STAGING', toStage: 'PRODUCTION', archiveExistingVersions: false });
    expect(result.modelVersion).toEqual({ version: 3, stage: 'PRODUCTION' });
    expect((await promote(r, { name: 'newest', fromStage: 'ARCHIVED', toStage: 'PRODUCTION' })).__typename).toBe('PreconditionFailedError');
    expect((await promote(r, { name: 'nobody', fromStage: 'STAGING', toStage: 'PRODUCTION' })).__typename).toBe('NotFoundError');
    expect(await promote(r, { name: 'newest', fromStage: 'STAGING', toStage: 'STAGING' })).toMatchObject({ __typename: 'InvalidInputError', path: ['input', 'toStage'] });
  });
});

// Property-based: every mutation driven with generated hostile input never gets a 5xx or a
// masked internal error, always a typed error or a validation error, and the registry's
// invariants hold afterwards.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.js';
import { databaseKinds } from './support/databases.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const MUTATIONS: Record<string, { input: string; fields: Record<string, 'string' | 'int' | 'float' | 'stage' | 'tags' | 'metrics' | 'bool'> }> = {
  createRegisteredModel: { input: 'CreateRegisteredModelInput', fields: { name: 'string', description: 'string', tags: 'tags' } },
  updateRegisteredModel: { input: 'UpdateRegisteredModelInput', fields: { name: 'string', description: 'string' } },
  renameRegisteredModel: { input: 'RenameRegisteredModelInput', fields: { name: 'string', newName: 'string' } },
  deleteRegisteredModel: { input: 'DeleteRegisteredModelInput', fields: { name: 'string' } },
  createModelVersion: { input: 'CreateModelVersionInput', fields: { name: 'string', source: 'string', runId: 'string', description: 'string', tags: 'tags', metrics: 'metrics' } },
  registerModel: { input: 'RegisterModelInput', fields: { name: 'string', source: 'string', runId: 'string', tags: 'tags', metrics: 'metrics' } },
  updateModelVersion: { input: 'UpdateModelVersionInput', fields: { name: 'string', version: 'int', description: 'string' } },
  deleteModelVersion: { input: 'DeleteModelVersionInput', fields: { name: 'string', version: 'int' } },
  transitionModelVersionStage: { input: 'TransitionModelVersionStageInput', fields: { name: 'string', version: 'int', stage: 'stage', archiveExistingVersions: 'bool', comment: 'string' } },
  promoteModelVersion: { input: 'PromoteModelVersionInput', fields: { name: 'string', fromStage: 'stage', toStage: 'stage', comment: 'string' } },
  setRegisteredModelTag: { input: 'SetRegisteredModelTagInput', fields: { name: 'string', key: 'string', value: 'string' } },
  deleteRegisteredModelTag: { input: 'DeleteRegisteredModelTagInput', fields: { name: 'string', key: 'string' } },
  setModelVersionTag: { input: 'SetModelVersionTagInput', fields: { name: 'string', version: 'int', key: 'string', value: 'string' } },
  deleteModelVersionTag: { input: 'DeleteModelVersionTagInput', fields: { name: 'string', version: 'int', key: 'string' } },
  logModelVersionMetrics: { input: 'LogModelVersionMetricsInput', fields: { name: 'string', version: 'int', metrics: 'metrics' } },
  setRegisteredModelAlias: { input: 'SetRegisteredModelAliasInput', fields: { name: 'string', alias: 'string', version: 'int' } },
  deleteRegisteredModelAlias: { input: 'DeleteRegisteredModelAliasInput', fields: { name: 'string', alias: 'string' } },
};

// Real names mixed in, so hostile values also reach existing models and versions.
const NAMES = ['hostile-a', 'hostile-b'];
const hostileString = fc.oneof(
  fc.constantFrom(...NAMES, '', ' ', 'a/b', "'; DROP TABLE registered_models; --", '%', '_', '\\', '%_%', '\u0000', 'a\u0000b', '\u202e\u200b', '😀'.repeat(10), 'latest', 'v12'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u007f', '\u0085', '\ud800', '\uffff', 'x', '%', "'"), maxLength: 30 }),
  fc.integer({ min: 0, max: 7000 }).map((n) => 'x'.repeat(n)),
);
const wrongType = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant({ nested: 1 }), fc.constant([1, 2]));
const valueFor = (kind: string): fc.Arbitrary<unknown> => {
  const proper = {
    string: hostileString,
    int: fc.oneof(fc.integer({ min: -3, max: 4 }), fc.constantFrom(0, -1, 2147483647, -2147483648, 2 ** 40, 1.5)),
    float: fc.oneof(fc.double(), fc.constantFrom(1e308, -1e308, 0, -0)),
    stage: fc.oneof(fc.constantFrom('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'), fc.constantFrom('production', 'DELETED', '')),
    bool: fc.boolean(),
    tags: fc.oneof(fc.array(fc.record({ key: hostileString, value: hostileString }), { maxLength: 3 }), fc.constant(Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: 'v' })))),
    metrics: fc.array(fc.record({ key: hostileString, value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -1e308)) }), { maxLength: 3 }),
  }[kind]!;
  const sane = {
    string: fc.constantFrom(...NAMES, 'k', 'champion', 's3://models/x', 'a description'),
    int: fc.integer({ min: 1, max: 4 }),
    float: fc.double({ min: 0, max: 1, noNaN: true }),
    stage: fc.constantFrom('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'),
    bool: fc.boolean(),
    tags: fc.constant([{ key: 'team', value: 'risk' }]),
    metrics: fc.constant([{ key: 'accuracy', value: 0.9 }]),
  }[kind]!;
  // Mostly sane values, so calls get past GraphQL validation and reach the registry's rules.
  return fc.oneof({ weight: 12, arbitrary: sane }, { weight: 8, arbitrary: proper }, { weight: 1, arbitrary: wrongType });
};
const mutationCall = fc.constantFrom(...Object.keys(MUTATIONS)).chain((field) =>
  fc.record(Object.fromEntries(Object.entries(MUTATIONS[field].fields).map(([k, kind]) => [k, valueFor(kind)]))).map((input) => ({ field, input })),
);

describe.each(databaseKinds)('hostile input (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
    for (const name of NAMES) {
      for (let i = 0; i < 3; i++) await r.gql(`mutation($n: String!) { registerModel(input: { name: $n, source: "s3://ok" }) { __typename } }`, { n: name });
    }
  });
  afterAll(() => r.stop());

  it('every mutation answers with a typed error or a validation error, never a 5xx or an internal error', async () => {
    const outcomes = { payload: 0, typedError: 0, graphqlError: 0 };
    await fc.assert(
      fc.asyncProperty(mutationCall, async ({ field, input }) => {
        const { input: inputType } = MUTATIONS[field];
        const res = await r.request(`mutation($input: ${inputType}!) { ${field}(input: $input) { __typename ... on Error { code message } } }`, { input });
        expect(res.status, JSON.stringify({ field, input, res }).slice(0, 2000)).toBeLessThan(500);
        if (res.errors) {
          // A GraphQL-level refusal (wrong type, bad enum): a 4xx-class validation error, not a masked failure.
          for (const error of res.errors) expect(error.extensions?.code, JSON.stringify({ field, input, res }).slice(0, 2000)).not.toBe('INTERNAL_SERVER_ERROR');
          outcomes.graphqlError += 1;
        } else {
          expect(res.data?.[field]?.__typename).toMatch(/Payload$|Error$/);
          outcomes[res.data[field].__typename.endsWith('Payload') ? 'payload' : 'typedError'] += 1;
        }
        expect(JSON.stringify(res)).not.toMatch(/SELECT |INSERT |violates|syntax error at|node_modules/);
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261129) },
    );
    // The generator reaches all three outcomes, so the property is not passing vacuously.
    expect(outcomes.payload).toBeGreaterThan(10);
    expect(outcomes.typedError).toBeGreaterThan(30);
    expect(outcomes.graphqlError).toBeGreaterThan(10);
    // Still answering.
    expect((await r.gql(`{ registeredModels(first: 1) { totalCount } }`)).registeredModels.totalCount).toBeGreaterThan(0);
  });

  it('the invariants hold afterwards: one PRODUCTION per model where archiving was used, numbers never reused, every change has its event', async () => {
    const db = r.app.database.db;
    const counts = rowsOf<{ bad: number }>(
      await db.execute(sql`SELECT count(*)::int AS bad FROM registered_models m
        WHERE (SELECT max(version) FROM model_versions v WHERE v.model_id = m.id) >= m.next_version`),
    );
    expect(Number(counts[0].bad)).toBe(0);
    const duplicates = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM (SELECT model_id, version FROM model_versions GROUP BY 1, 2 HAVING count(*) > 1) d`));
    expect(Number(duplicates[0].n)).toBe(0);
    const events = rowsOf<{ transitions: number; stageEvents: number; maxPosition: number; events: number; counter: number; pending: number }>(
      await db.execute(sql`SELECT (SELECT count(*)::int FROM stage_transitions) AS transitions,
        (SELECT count(*)::int FROM registry_events WHERE type = 'STAGE_CHANGED' AND transition_id IS NOT NULL) AS "stageEvents",
        (SELECT count(*)::int FROM registry_events) AS events,
        (SELECT coalesce(max(position), 0)::int FROM registry_events) AS "maxPosition",
        (SELECT last_position::int FROM registry_event_counter) AS counter,
        (SELECT count(*)::int FROM pending_event_batches) AS pending`),
    )[0];
    expect(Number(events.pending)).toBe(0); // every commit appended its batch; no rollback left one
    expect(Number(events.stageEvents)).toBe(Number(events.transitions));
    expect(Number(events.events)).toBe(Number(events.maxPosition)); // gapless positions 1..n
    expect(Number(events.counter)).toBe(Number(events.maxPosition));
    // Replaying the stored history reproduces every live version's stage.
    const replay = rowsOf<{ mismatched: number }>(
      await db.execute(sql`SELECT count(*)::int AS mismatched FROM model_versions v
        WHERE v.stage <> coalesce((SELECT to_stage FROM stage_transitions t WHERE t.version_id = v.id ORDER BY position DESC LIMIT 1), 'NONE')`),
    );
    expect(Number(replay[0].mismatched)).toBe(0);
    // Every version's events: one VERSION_CREATED each.
    const created = rowsOf<{ missing: number }>(
      await db.execute(sql`SELECT count(*)::int AS missing FROM model_versions v WHERE NOT EXISTS (SELECT 1 FROM registry_events e WHERE e.version_id = v.id AND e.type = 'VERSION_CREATED')`),
    );
    expect(Number(created[0].missing)).toBe(0);
  });

  it('archiving transitions racing on one model leave at most one PRODUCTION version', async () => {
    await Promise.all(
      [1, 2, 3, 1, 2, 3].map((version) =>
        r.request(`mutation($v: Int!) { transitionModelVersionStage(input: { name: "hostile-b", version: $v, stage: PRODUCTION, archiveExistingVersions: true }) { __typename } }`, { v: version }),
      ),
    );
    const prod = await r.gql(`{ registeredModel(name: "hostile-b") { latestVersions(stages: [PRODUCTION]) { version } versions(stages: [PRODUCTION]) { totalCount } } }`);
    if (prod.registeredModel) expect(prod.registeredModel.versions.totalCount).toBeLessThanOrEqual(1);
  });
});

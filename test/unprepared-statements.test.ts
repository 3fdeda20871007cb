// DB_PREPARED_STATEMENTS=false (for poolers in transaction mode that cannot keep named
// statements): the same reads and writes, in the same number of statements, none of them named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { buildApp } from '../src/server/app.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { createModel, createVersion, transition } from './support/ops.js';
import { testConfig, TestRegistry } from './support/registry.js';

const kinds = databaseKinds.filter((kind) => kind === 'postgres');
if (kinds.length === 0) it.skip('needs PostgreSQL: set TEST_DATABASE_URL', () => {});

describe.each(kinds)('without prepared statements (%s)', () => {
  let owner: TestDatabase;
  let r: TestRegistry;
  beforeAll(async () => {
    owner = await createTestDatabase('postgres');
    const database = await openDatabase({ databaseUrl: owner.url, poolSize: 4, preparedStatements: false });
    r = new TestRegistry(await buildApp(testConfig({ dbPreparedStatements: false }), database), { ...owner, drop: async () => {} });
  });
  afterAll(async () => {
    await r.stop();
    await r.app.database.close();
    await owner.drop();
  });

  it('serves the nested page, the model lookup and the writes, and leaves no named statement behind', async () => {
    await createModel(r, 'plain', { tags: [{ key: 'team', value: 'x' }] });
    await createVersion(r, 'plain', { tags: [{ key: 'k', value: 'v' }] });
    await createVersion(r, 'plain');
    await transition(r, { name: 'plain', version: 1, stage: 'PRODUCTION', archiveExistingVersions: true });

    const page = await r.request(`{ registeredModels(first: 5) { edges { node { name versions(first: 5) { edges { node { version stage tags { key value } } } } } } } }`);
    expect(page.errors).toBeUndefined();
    expect(page.data.registeredModels.edges[0].node.versions.edges.map((e: any) => [e.node.version, e.node.stage, e.node.tags])).toEqual([
      [2, 'NONE', []],
      [1, 'PRODUCTION', [{ key: 'k', value: 'v' }]],
    ]);
    expect(page.extensions?.sqlStatements).toBe(2);

    const one = await r.request(`{ registeredModel(name: "plain") { tags { key } latestVersions(stages: [PRODUCTION]) { version } } }`);
    expect(one.data.registeredModel).toEqual({ tags: [{ key: 'team' }], latestVersions: [{ version: 1 }] });
    expect(one.extensions?.sqlStatements).toBe(1);

    // Every pooled connection's session: no statement was prepared by name.
    const client = (r.app.database.db as any).$client;
    const prepared = await Promise.all(Array.from({ length: 4 }, () => client.unsafe('SELECT count(*)::int AS n FROM pg_prepared_statements')));
    expect(prepared.map(([row]: any) => row.n)).toEqual([0, 0, 0, 0]);
  });
});

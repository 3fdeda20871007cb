// Queries over HTTP run within a cost budget and wait their turn beyond it; past the queue limit
// they are refused with 503 SERVER_BUSY. Health checks and mutations are never held back.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion } from './support/ops.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';

// Cost 1 + 50 × (edges, node, versions: 1 + 5 × (edges, node)) = well over the budget of 100: runs alone.
const PAGE = `{ registeredModels(first: 50) { edges { node { name versions(first: 5) { edges { node { version } } } } } } }`;

// On PostgreSQL only: the test holds a table lock from a second connection, and /metrics reads
// the event log, which a held PGlite (one connection) could not answer. Admission is above the database.
describe.skipIf(!databaseKinds.includes('postgres'))('query admission (postgres)', () => {
  let r: TestRegistry;
  let url: string;
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry('postgres', { queryCostInFlight: 100, queryQueueLimit: 1 }));
    await createModel(r, 'admitted');
    await createVersion(r, 'admitted');
  });
  afterAll(() => r.stop());

  const post = (query: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const metric = async (name: string) => {
    const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  /** Holds every read of model_versions until released. */
  async function holdVersions(): Promise<() => Promise<void>> {
    const admin = postgres(r.db.url!, { max: 1, onnotice: () => {} });
    const held = await admin.reserve();
    await held`BEGIN`;
    await held`LOCK TABLE model_versions IN ACCESS EXCLUSIVE MODE`;
    return async () => {
      await held`COMMIT`;
      held.release();
      await admin.end();
    };
  }

  it('runs one page over the budget at a time, queues the next, refuses one more with 503, and never holds back health or mutations', async () => {
    const release = await holdVersions();
    const first = post(PAGE);
    await until(async () => (await metric('registry_queries_running')) === 1);
    const second = post(PAGE);
    await until(async () => (await metric('registry_queries_waiting')) === 1);

    const refused = await post(PAGE);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).errors[0].extensions.code).toBe('SERVER_BUSY');
    expect(await metric('registry_queries_refused_total')).toBe(1);

    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
    // A mutation does not queue behind the waiting queries.
    const created = await (await post(`mutation { createRegisteredModel(input: { name: "not-held-back" }) { __typename } }`)).json();
    expect(created.data.createRegisteredModel.__typename).toBe('CreateRegisteredModelPayload');
    expect(await metric('registry_queries_waiting')).toBe(1);

    await release();
    for (const response of await Promise.all([first, second])) {
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.errors).toBeUndefined();
      expect(body.data.registeredModels.edges.map((e: any) => e.node.name)).toContain('admitted');
    }
    await until(async () => (await metric('registry_queries_running')) === 0);
    expect(await metric('registry_queries_waiting')).toBe(0);
  });

  it('lets light queries run together, and a client that leaves while waiting gives up its place', async () => {
    const release = await holdVersions();
    const heavy = post(PAGE);
    await until(async () => (await metric('registry_queries_running')) === 1);
    const controller = new AbortController();
    const leaving = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PAGE }), signal: controller.signal }).catch((e: Error) => e);
    await until(async () => (await metric('registry_queries_waiting')) === 1);
    controller.abort();
    await leaving;
    await until(async () => (await metric('registry_queries_waiting')) === 0);
    expect(await metric('registry_queries_waiting')).toBe(0);
    await release();
    expect((await heavy).status).toBe(200);

    // Cost 2 each: fifty at once fit in the budget of 100, and all are answered.
    const light = await Promise.all(Array.from({ length: 50 }, () => post(`{ registeredModel(name: "admitted") { name latestVersions { version } } }`)));
    for (const response of light) expect((await response.json()).data.registeredModel.name).toBe('admitted');
    expect(await metric('registry_queries_refused_total')).toBe(1);
  });
});

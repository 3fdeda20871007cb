// Errors at the edges: unexpected failures are masked (no SQL, table names or stacks reach the
// client), and malformed HTTP requests get a 4xx with a message that says what is wrong.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion, getModel, stages, transition } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

/** What must never appear in a response: SQL, schema names, driver and stack details. */
const LEAKS = [
  /registered_model_tags/i,
  /registered_models/i,
  /\bselect\b/i,
  /\binsert\b/i,
  /\bfrom\b/i,
  /relation/i,
  /does not exist/i,
  /drizzle/i,
  /postgres/i,
  /pglite/i,
  /stack/i,
  /\.ts\b/,
  /\.js\b/,
  /node_modules/,
  /\bat .*:\d+:\d+/,
  /Failed query/i,
  /originalError/,
];

function expectNoLeak(response: unknown) {
  const text = JSON.stringify(response);
  for (const pattern of LEAKS) expect(text, `response leaks ${pattern}`).not.toMatch(pattern);
}

async function post(r: TestRegistry, init: { body: string; headers?: Record<string, string>; method?: string; url?: string }) {
  const response = await r.app.yoga.fetch(init.url ?? 'http://registry/graphql', { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, json: text ? JSON.parse(text) : undefined };
}

describe.each(databaseKinds)('unexpected errors are masked (%s)', (kind) => {
  // A registry of its own: this test breaks its database.
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
    await createModel(r, 'broken-a', { tags: [{ key: 'team', value: 'ml' }] });
    await createModel(r, 'broken-b');
  });
  afterAll(() => r.stop());

  const QUERY = '{ registeredModels { edges { node { name tags { key } } } } }';

  it('a failing statement becomes a generic "Unexpected error." with no SQL, table name or stack', async () => {
    // Healthy first, so the failure below is the broken table and nothing else.
    const before = await r.request(QUERY);
    expect(before.errors).toBeUndefined();
    expect(before.data.registeredModels.edges[0].node.tags).toEqual([{ key: 'team' }]);

    await r.app.database.db.execute(sql`DROP TABLE registered_model_tags CASCADE`);

    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const result = await r.request(QUERY, undefined, { accept });
      // Yoga answers 200 with the error in the body: the request itself was fine.
      expect(result.status).toBe(200);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].message).toBe('Unexpected error.');
      expect(result.errors![0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(result.errors![0].path).toEqual(['registeredModels', 'edges', 0, 'node', 'tags']);
      // tags is non-null, so the failure nulls its way up to the non-null root field.
      expect(result.data).toBeNull();
      expectNoLeak(result);
    }

    // A mutation that touches the broken table fails the same way, and rolls back.
    const created = await r.request(`mutation { createRegisteredModel(input: { name: "broken-c", tags: [{ key: "k", value: "v" }] }) { __typename } }`);
    expect(created.status).toBe(200);
    expect(created.errors?.[0].message).toBe('Unexpected error.');
    expect(created.errors?.[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expectNoLeak(created);
    expect(await getModel(r, 'broken-c')).toBeNull();

    // What does not touch the broken table still works.
    expect((await getModel(r, 'broken-a', 'name')).name).toBe('broken-a');
    const names = await r.gql(`{ registeredModels { edges { node { name } } } }`);
    expect(names.registeredModels.edges.map((e: any) => e.node.name)).toEqual(['broken-a', 'broken-b']);
  });

  it('an expected argument error is not masked: it keeps its message and code', async () => {
    const result = await r.request(`{ registeredModels(first: 1001) { edges { node { name } } } }`);
    expect(result.status).toBe(400); // a bad argument is the client's error
    expect(result.errors?.[0]).toMatchObject({ message: "'first' must be at most 1000", extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe.each(databaseKinds)('a change whose events cannot be logged (%s)', (kind) => {
  // A registry of its own: this test breaks its event log.
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
    await createModel(r, 'unlogged');
    await createVersion(r, 'unlogged');
  });
  afterAll(() => r.stop());

  const HISTORY = `{ stageTransitions(filter: { name: "unlogged" }) { totalCount } }`;
  /** The log's positions and types, read in SQL: the API streams events but does not list positions. */
  async function eventLog() {
    const result = await r.app.database.db.execute(sql`SELECT position::int AS position, type FROM registry_events ORDER BY position`);
    return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { position: number; type: string }[];
  }

  it('is not written at all, and the log goes on without a gap once it can be written again', async () => {
    const before = await r.gql(HISTORY);
    const logBefore = await eventLog();
    await r.app.database.db.execute(sql`ALTER TABLE pending_event_batches ADD CONSTRAINT refuse_every_batch CHECK (false) NOT VALID`);

    const refused = await r.request(`mutation { transitionModelVersionStage(input: { name: "unlogged", version: 1, stage: STAGING }) { __typename } }`);
    expect(refused.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expectNoLeak(refused);
    expect(await stages(r, 'unlogged')).toEqual({ 1: 'NONE' });
    expect(await r.gql(HISTORY)).toEqual(before);
    expect(await eventLog()).toEqual(logBefore);

    await r.app.database.db.execute(sql`ALTER TABLE pending_event_batches DROP CONSTRAINT refuse_every_batch`);
    expect((await transition(r, { name: 'unlogged', version: 1, stage: 'STAGING' })).modelVersion.stage).toBe('STAGING');
    const after = await r.gql(HISTORY);
    expect(after.stageTransitions.totalCount).toBe(before.stageTransitions.totalCount + 1);
    const log = await eventLog();
    expect(log.map((e) => e.position)).toEqual(log.map((_, i) => i + 1));
    expect(log.slice(0, -1)).toEqual(logBefore);
    expect(log.at(-1)!.type).toBe('STAGE_CHANGED');
  });
});

describe.each(databaseKinds)('malformed HTTP requests (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
  });
  afterAll(() => r.stop());

  const json = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

  it('a body that is not JSON is 400 with a message saying so', async () => {
    for (const body of ['{"query": ', 'query { __typename }', '']) {
      const result = await post(r, { body, headers: json });
      expect(result.status, body).toBe(400);
      expect(result.json.errors[0].message).toMatch(/invalid JSON|Must provide query string/);
      expect(result.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('JSON of the wrong shape is 400 with a message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['"x"', /expected to be object/],
      ['[{"query": "{ __typename }"}]', /Batching is not supported/],
      ['{"query": 5}', /"query" param to be a string/],
      ['{"query": "{ __typename }", "variables": "nope"}', /"variables" param to be empty or an object/],
      ['{}', /Must provide query string/],
    ];
    for (const [body, message] of cases) {
      const result = await post(r, { body, headers: json });
      expect(result.status, body).toBe(400);
      expect(result.json.errors[0].message, body).toMatch(message);
    }
  });

  it('an unsupported content type is 415 with a message saying what to send', async () => {
    for (const type of ['text/plain', 'application/xml', undefined]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const result = await post(r, { body: JSON.stringify({ query: '{ __typename }' }), headers });
      expect(result.status, String(type)).toBe(415);
      expect(result.contentType).toMatch(/application\/json/);
      expect(result.json.errors[0].message).toMatch(/Unsupported Content-Type .*application\/json/);
      expect(result.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    // The accepted one works, so the 415 is about the type alone.
    const ok = await post(r, { body: JSON.stringify({ query: '{ __typename }' }), headers: json });
    expect(ok.status).toBe(200);
    expect(ok.json.data).toEqual({ __typename: 'Query' });
  });

  it('syntax and validation errors are 400 and name the problem; a mutation over GET is 405', async () => {
    const syntax = await r.request('{ registeredModels {');
    expect(syntax.status).toBe(400);
    expect(syntax.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Syntax Error/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });

    const unknown = await r.request('{ registeredModels { edges { node { nope } } } }');
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0]).toMatchObject({ message: expect.stringContaining('Cannot query field "nope"'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

    const badVariable = await r.request('query($n: Int) { registeredModels(first: $n) { edges { cursor } } }', { n: 'ten' });
    expect(badVariable.status).toBe(400);
    expect(badVariable.errors?.[0].message).toMatch(/\$n/);

    const query = encodeURIComponent('mutation { deleteRegisteredModel(input: { name: "x" }) { __typename } }');
    const viaGet = await r.app.yoga.fetch(`http://registry/graphql?query=${query}`, { method: 'GET', headers: { accept: 'application/json' } });
    expect(viaGet.status).toBe(405);
    expect((await viaGet.json()).errors[0].message).toMatch(/mutation operation from a POST request/);
  });
});

// What a request may cost, and the production switches: each limit refuses with a 4xx and a
// clear message, and legitimate contract queries stay well inside them.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from './support/databases.js';
import { startListeningRegistry, startRegistry, type TestRegistry } from './support/registry.js';
import { subscribeWS } from './support/subscriptions.js';

const NESTED_PAGE = `registeredModels(first: 1000) { edges { node { name tags { key } versions(first: 10) { edges { node { version stage tags { key value } metrics { key } } } } } } }`;

function refused(res: { status: number; errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown }, pattern: RegExp) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.data ?? null).toBeNull();
  expect(res.errors?.map((e) => e.message).join('\n')).toMatch(pattern);
  expect(JSON.stringify(res)).not.toMatch(/\bat \w+ \(|node_modules|SELECT /);
}

describe('request limits (pglite)', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry('pglite');
  });
  afterAll(() => r.stop());

  it('a 1000-model page with nested 10-version pages fits the budget; 20 aliased copies do not', async () => {
    const one = await r.request(`{ ${NESTED_PAGE} }`);
    expect(one.errors).toBeUndefined();
    const twenty = Array.from({ length: 20 }, (_, i) => `c${i}: ${NESTED_PAGE}`).join('\n');
    refused(await r.request(`{ ${twenty} }`), /too expensive: cost \d+ is over the budget of 100000/);
    // Page sizes from variables count too.
    const viaVariables = await r.request(`query($n: Int) { registeredModels(first: $n) { edges { node { versions(first: $n) { edges { node { version tags { key } } } } } } } }`, { n: 1000 });
    refused(viaVariables, /too expensive/);
    // Checked on every request, not once per query text: a small n passes, then a large one is still refused.
    const byN = `query($n: Int) { registeredModels(first: $n) { edges { node { name versions(first: $n) { edges { node { version tags { key } } } } } } } }`;
    expect((await r.request(byN, { n: 2 })).errors).toBeUndefined();
    refused(await r.request(byN, { n: 1000 }), /too expensive: cost \d+ is over the budget/);
    expect((await r.request(byN, { n: 3 })).errors).toBeUndefined();
  });

  it('depth above 12 is refused; the deepest natural contract query is not', async () => {
    const natural = `{ registeredModels(first: 1) { edges { node { versions(first: 1) { edges { node { transitions(first: 1) { edges { node { modelVersion { registeredModel { name } } } } } } } } } } } }`;
    expect((await r.request(natural)).errors).toBeUndefined();
    const deep = `{ registeredModels(first: 1) { edges { node { versions(first: 1) { edges { node { transitions(first: 1) { edges { node { modelVersion { registeredModel { aliases { modelVersion { name } } } } } } } } } } } } } }`;
    refused(await r.request(deep), /depth/i);
  });

  it('more than 30 aliases, 20 root fields or 5000 tokens are refused', async () => {
    expect((await r.request(`{ x: registeredModels(first: 1) { totalCount } ${Array.from({ length: 19 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`)).errors).toBeUndefined();
    refused(await r.request(`{ viewer { ${Array.from({ length: 31 }, (_, i) => `a${i}: role`).join(' ')} } }`), /aliases limit of 30/i);
    expect((await r.request(`{ viewer { ${Array.from({ length: 30 }, (_, i) => `a${i}: role`).join(' ')} } }`)).errors).toBeUndefined();
    refused(await r.request(`{ ${Array.from({ length: 21 }, () => `viewer { role }`).join(' ')} }`), /root fields/i);
    refused(await r.request(`{ viewer { ${'role '.repeat(6000)} } }`), /token limit of 5000/i);
  });

  it('a fragment bomb is refused before it runs', async () => {
    const fragments = Array.from({ length: 10 }, (_, i) => `fragment F${i} on RegisteredModel { ${i === 9 ? 'name' : `a: versions { edges { node { registeredModel { ...F${i + 1} } } } } b: versions { edges { node { registeredModel { ...F${i + 1} } } } }`} }`).join('\n');
    refused(await r.request(`{ registeredModels { edges { node { ...F0 } } } }\n${fragments}`), /depth|too expensive|aliases/i);
  });

  it('bodies over 1 MB get 413; batched operations are off; nodes takes at most 100 ids', async () => {
    const big = await r.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { role } }`, variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('Request body too large');
    const batch = await r.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: `{ viewer { role } }` }, { query: `{ viewer { role } }` }]),
    });
    expect(batch.status).toBeGreaterThanOrEqual(400);
    expect(batch.status).toBeLessThan(500);
    const ids = Array.from({ length: 101 }, (_, i) => Buffer.from(`RegisteredModel:${i + 1}`).toString('base64'));
    const nodes = await r.request(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(nodes.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('production switches (pglite)', () => {
  it('INTROSPECTION=false and GRAPHIQL=false switch those off', async () => {
    const r = await startRegistry('pglite', { introspection: false, graphiql: false });
    try {
      const res = await r.request(`{ __schema { types { name } } }`);
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(res.data?.__schema).toBeUndefined();
      const page = await r.app.yoga.fetch('http://registry/graphql', { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
    } finally {
      await r.stop();
    }
  });

  it('PERSISTED_OPERATIONS=only serves the allow-list and refuses anything else', async () => {
    const file = path.join(scratchDir('persisted-'), 'operations.json');
    writeFileSync(file, JSON.stringify({ listModels: '{ registeredModels(first: 5) { totalCount } }' }));
    const r = await startRegistry('pglite', { persistedOperationsFile: file });
    try {
      const allowed = await r.app.yoga.fetch('http://registry/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'listModels' } } }),
      });
      expect(await allowed.json()).toEqual({ data: { registeredModels: { totalCount: 0 } }, extensions: { sqlStatements: 2 } }); // the count and reading the caller's grants
      const arbitrary = await r.request(`{ registeredModels(first: 5) { totalCount } }`);
      expect(arbitrary.status).toBeGreaterThanOrEqual(400);
      expect(arbitrary.data ?? null).toBeNull();
      expect(arbitrary.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    } finally {
      await r.stop();
    }
  });
});

describe('argument errors are 4xx (pglite)', () => {
  it('a forged cursor, a cursor reused under another filter, or first above 1000 gets 400 with a clear message', async () => {
    const r = await startRegistry('pglite');
    try {
      await r.gql(`mutation { createRegisteredModel(input: { name: "m1" }) { __typename } }`);
      await r.gql(`mutation { createRegisteredModel(input: { name: "m2" }) { __typename } }`);
      const page = await r.gql(`{ registeredModels(first: 1) { pageInfo { endCursor } } }`);
      const cursor = page.registeredModels.pageInfo.endCursor;
      const forged = Buffer.from(JSON.stringify(['x', "'; DROP TABLE x; --", 1])).toString('base64url');
      const cases: [string, Record<string, unknown>, RegExp][] = [
        [`query($c: String) { registeredModels(first: 1, after: $c) { totalCount } }`, { c: forged }, /cursor/],
        [`query($c: String) { registeredModels(first: 1, after: $c, filter: { name: { like: "m%" } }) { totalCount } }`, { c: cursor }, /another filter or order/],
        [`{ registeredModels(first: 1001) { totalCount } }`, {}, /at most 1000/],
      ];
      for (const [query, variables, message] of cases) {
        const res = await r.request(query, variables);
        expect(res.status).toBe(400);
        expect(res.errors?.[0].message).toMatch(message);
        expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0].extensions?.http).toBeUndefined();
      }
    } finally {
      await r.stop();
    }
  });
});

describe('bodies without a length, and persisted operations over WebSocket (pglite)', () => {
  it('a chunked POST without Content-Length gets 411; over WebSocket only allow-listed operations run', async () => {
    const file = path.join(scratchDir('persisted-'), 'operations.json');
    writeFileSync(
      file,
      JSON.stringify({
        watchStages: 'subscription { stageChanged { version toStage } }',
        register: 'mutation { registerModel(input: { name: "persisted-model", source: "s3://p" }) { __typename } }',
        stage: 'mutation { transitionModelVersionStage(input: { name: "persisted-model", version: 1, stage: STAGING }) { __typename } }',
      }),
    );
    const { registry: r, url } = await startListeningRegistry('pglite', { persistedOperationsFile: file });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        request.on('error', reject);
        request.write('{"query":"{ viewer { role } }"}');
        request.end();
      });
      expect(status).toBe(411);

      const wsUrl = url.replace('http', 'ws');
      const arbitrary = await subscribeWS(wsUrl, `subscription { stageChanged { version } }`);
      await expect(arbitrary.next(3000)).rejects.toThrow();
      await arbitrary.close();
      // By id, the allow-listed subscription runs.
      const { createClient } = await import('graphql-ws');
      const WebSocket = (await import('ws')).default;
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const received = new Promise<unknown>((resolve, reject) =>
        client.subscribe({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'watchStages' } } } as never, { next: resolve, error: reject, complete: () => {} }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const id of ['register', 'stage']) {
        const res = await r.app.yoga.fetch('http://registry/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
        });
        expect(res.status).toBe(200);
      }
      expect(await received).toEqual({ data: { stageChanged: { version: 1, toStage: 'STAGING' } } });
      await client.dispose();
    } finally {
      await r.stop();
    }
  });
});

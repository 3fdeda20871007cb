// Tokens, roles and per-model grants through HTTP, SSE and WebSocket with auth on; the
// start-up rules that decide whether auth is on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { databaseKinds, createTestDatabase } from './support/databases.js';
import { startListeningRegistry, testConfig, type TestRegistry } from './support/registry.js';
import { subscribeSSE, subscribeWS } from './support/subscriptions.js';

const ADMIN_TOKEN = 'admin-secret-0123456789-abcdefghijklmnop';

describe.each(databaseKinds)('access control (%s)', (kind) => {
  let r: TestRegistry;
  let url: string;
  const tokens: Record<string, string> = {};

  const as = (who: string) => ({ authorization: `Bearer ${who === 'admin' ? ADMIN_TOKEN : tokens[who]}` });
  const call = (who: string | null, query: string, variables?: Record<string, unknown>) => r.request(query, variables, who ? as(who) : {});
  const data = async (who: string, query: string, variables?: Record<string, unknown>) => {
    const res = await call(who, query, variables);
    if (res.errors) throw new Error(`${who}: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const transition = (who: string, name: string, version: number, stage: string) =>
    data(
      who,
      `mutation($n: String!, $v: Int!, $s: Stage!) { transitionModelVersionStage(input: { name: $n, version: $v, stage: $s }) {
        __typename ... on Error { code message } ... on TransitionModelVersionStagePayload { transitions { actor } } } }`,
      { n: name, v: version, s: stage },
    ).then((d) => d.transitionModelVersionStage);

  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry(kind, { adminToken: ADMIN_TOKEN }));
    for (const [name, role] of [
      ['reader', 'READER'],
      ['editor', 'EDITOR'],
      ['team-a', 'READER'],
    ]) {
      const created = await data('admin', `mutation($n: String!, $r: Role!) { createApiToken(input: { name: $n, role: $r }) { ... on CreateApiTokenPayload { token apiToken { name role } } } }`, {
        n: name,
        r: role,
      });
      tokens[name] = created.createApiToken.token;
    }
    for (const name of ['alpha', 'beta']) {
      await data('admin', `mutation($n: String!) { registerModel(input: { name: $n, source: "s3://x" }) { __typename } }`, { n: name });
      await data('admin', `mutation($n: String!) { createModelVersion(input: { name: $n, source: "s3://y" }) { __typename } }`, { n: name });
    }
  });
  afterAll(() => r.stop());

  it('auth is on: a missing or bad token is HTTP 401 UNAUTHENTICATED, with no data', async () => {
    expect(r.app.authMode).toBe('required');
    for (const headers of [{}, { authorization: 'Bearer mr_not-a-real-token' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
      const res = await r.request(`{ registeredModels { totalCount } }`, undefined, headers);
      expect(res.status).toBe(401);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.data ?? null).toBeNull();
    }
  });

  it('tokens are random, shown once, hashed at rest, and listed without secrets', async () => {
    expect(tokens.reader).toMatch(/^mr_[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(tokens.reader).not.toBe(tokens.editor);
    const listed = await data('admin', `{ apiTokens { name role createdAt lastUsedAt revokedAt } }`);
    expect(listed.apiTokens.map((t: any) => [t.name, t.role])).toEqual([
      ['editor', 'EDITOR'],
      ['reader', 'READER'],
      ['team-a', 'READER'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(tokens.reader);
    const { sql } = await import('drizzle-orm');
    const stored = await r.app.database.db.execute(sql`SELECT secret_hash FROM api_tokens`);
    expect(JSON.stringify(stored)).not.toContain(tokens.reader.slice(3));
    expect((await data('reader', `{ viewer { name role } }`)).viewer).toEqual({ name: 'reader', role: 'READER' });
    expect((await data('admin', `{ viewer { name role } }`)).viewer).toEqual({ name: 'admin', role: 'ADMIN' });
  });

  it('READER reads but every change is PermissionDeniedError, and nothing changes', async () => {
    expect((await data('reader', `{ registeredModel(name: "alpha") { name } }`)).registeredModel).toEqual({ name: 'alpha' });
    const denied = await data('reader', `mutation { setRegisteredModelTag(input: { name: "alpha", key: "k", value: "v" }) { __typename ... on Error { code } } }`);
    expect(denied.setRegisteredModelTag).toEqual({ __typename: 'PermissionDeniedError', code: 'PERMISSION_DENIED' });
    expect((await transition('reader', 'alpha', 1, 'STAGING')).__typename).toBe('PermissionDeniedError');
    const created = await data('reader', `mutation { registerModel(input: { name: "readers-model", source: "s3://z" }) { __typename } }`);
    expect(created.registerModel.__typename).toBe('PermissionDeniedError');
    expect((await data('admin', `{ registeredModel(name: "readers-model") { name } }`)).registeredModel).toBeNull();
    // The version is inserted before the permission is checked: the refusal must take it back.
    const version = await data('reader', `mutation { createModelVersion(input: { name: "alpha", source: "s3://r" }) { __typename } }`);
    expect(version.createModelVersion.__typename).toBe('PermissionDeniedError');
    expect((await data('admin', `{ registeredModel(name: "alpha") { tags { key } versions { edges { node { stage } } } } }`)).registeredModel).toEqual({
      tags: [],
      versions: { edges: [{ node: { stage: 'NONE' } }, { node: { stage: 'NONE' } }] },
    });
  });

  it('EDITOR changes and promotes, and is the actor of its changes; deletes and token admin are ADMIN only', async () => {
    const moved = await transition('editor', 'alpha', 1, 'PRODUCTION');
    expect(moved.transitions).toEqual([{ actor: 'editor' }]);
    const deleted = await data('editor', `mutation { deleteModelVersion(input: { name: "alpha", version: 2 }) { __typename } }`);
    expect(deleted.deleteModelVersion.__typename).toBe('PermissionDeniedError');
    const token = await data('editor', `mutation { createApiToken(input: { name: "sneaky", role: ADMIN }) { __typename } }`);
    expect(token.createApiToken.__typename).toBe('PermissionDeniedError');
    const list = await call('editor', `{ apiTokens { name } }`);
    expect(list.errors?.[0].extensions?.code).toBe('PERMISSION_DENIED');
  });

  it('per-model grants narrow and widen a role for one model: register versions without promoting to PRODUCTION', async () => {
    const grant = (identity: string, name: string, permission: string | null) =>
      data('admin', `mutation($i: String!, $n: String!, $p: ModelPermission) { setModelGrant(input: { identity: $i, name: $n, permission: $p }) { __typename } }`, {
        i: identity,
        n: name,
        p: permission,
      });
    await grant('team-a', 'beta', 'EDIT'); // a READER widened on beta
    await grant('editor', 'beta', 'READ'); // an EDITOR narrowed on beta
    const registered = await data('team-a', `mutation { createModelVersion(input: { name: "beta", source: "s3://b3" }) { __typename ... on CreateModelVersionPayload { modelVersion { version } } } }`);
    expect(registered.createModelVersion.modelVersion.version).toBe(3);
    expect((await transition('team-a', 'beta', 3, 'STAGING')).__typename).toBe('TransitionModelVersionStagePayload');
    expect((await transition('team-a', 'beta', 3, 'PRODUCTION')).__typename).toBe('PermissionDeniedError');
    expect((await transition('team-a', 'alpha', 2, 'STAGING')).__typename).toBe('PermissionDeniedError'); // only beta widened
    expect((await transition('editor', 'beta', 3, 'NONE')).__typename).toBe('PermissionDeniedError');
    await grant('team-a', 'beta', 'PROMOTE');
    expect((await transition('team-a', 'beta', 3, 'PRODUCTION')).__typename).toBe('TransitionModelVersionStagePayload');
    const grants = await data('admin', `{ registeredModel(name: "beta") { grants { identity permission } } }`);
    expect(grants.registeredModel.grants).toEqual(
      expect.arrayContaining([
        { identity: 'team-a', permission: 'PROMOTE' },
        { identity: 'editor', permission: 'READ' },
      ]),
    );
  });

  it('subscriptions check permission per event: a reader hidden from one model never receives its changes', async () => {
    await data('admin', `mutation { setModelGrant(input: { identity: "reader", name: "beta", permission: NONE }) { __typename } }`);
    const query = `subscription { stageChanged { name version toStage actor } }`;
    const sse = await subscribeSSE((u, init) => r.app.yoga.fetch(u, init), 'http://registry/graphql', query, undefined, as('reader'));
    const ws = await subscribeWS(url.replace('http', 'ws'), query, undefined, { authorization: `Bearer ${tokens.reader}` });
    await transition('admin', 'beta', 1, 'STAGING');
    await transition('admin', 'alpha', 2, 'STAGING');
    // Reads hide it too, at every entry point.
    const seen = await data('reader', `{ registeredModel(name: "beta") { name } registeredModels { edges { node { name } } } stageTransitions(first: 100) { edges { node { name } } } modelVersion(name: "beta", version: 1) { version } }`);
    expect(seen.registeredModel).toBeNull();
    expect(seen.modelVersion).toBeNull();
    expect(seen.registeredModels.edges.map((e: any) => e.node.name)).toEqual(['alpha']);
    expect(seen.stageTransitions.edges.map((e: any) => e.node.name)).not.toContain('beta');
    for (const stream of [sse, ws]) {
      expect((await stream.next()).stageChanged).toEqual({ name: 'alpha', version: 2, toStage: 'STAGING', actor: 'admin' });
      expect(await stream.quiet(300)).toBe(true);
      await stream.close();
    }
  });

  it('unauthenticated subscriptions are refused over SSE (401) and WebSocket (connection closed)', async () => {
    const res = await r.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { stageChanged { version } }` }),
    });
    expect(res.status).toBe(401);
    await expect(subscribeWS(url.replace('http', 'ws'), `subscription { stageChanged { version } }`)).rejects.toThrow(/4403 Forbidden/);
  });

  it('a revoked token is refused from then on', async () => {
    const created = await data('admin', `mutation { createApiToken(input: { name: "short-lived", role: READER }) { ... on CreateApiTokenPayload { token } } }`);
    const secret = created.createApiToken.token;
    expect((await r.request(`{ viewer { name } }`, undefined, { authorization: `Bearer ${secret}` })).status).toBe(200);
    await data('admin', `mutation { revokeApiToken(input: { name: "short-lived" }) { __typename } }`);
    const after = await r.request(`{ viewer { name } }`, undefined, { authorization: `Bearer ${secret}` });
    expect(after.status).toBe(401);
  });
});

describe.each(databaseKinds)('when auth is on (%s)', (kind) => {
  it('is off by default on a loopback address with no token, and viewer is anonymous', async () => {
    const db = await createTestDatabase(kind);
    const app = await buildApp(testConfig(), db.database);
    expect(app.authMode).toBe('off');
    await app.stop();
    await db.drop();
  });

  it('refuses to start on a non-loopback address with no token unless AUTH=off, saying why', async () => {
    const db = await createTestDatabase(kind);
    await expect(buildApp(testConfig({ host: '0.0.0.0' }), db.database)).rejects.toThrow(/no API token exists: set ADMIN_TOKEN.*or AUTH=off/);
    const open = await buildApp(testConfig({ host: '0.0.0.0', auth: 'off' }), db.database);
    expect(open.authMode).toBe('off');
    await open.stop();
    await expect(buildApp(testConfig({ auth: 'required' }), db.database)).rejects.toThrow(/AUTH=required but no API token exists/);
    await db.drop();
  });
});

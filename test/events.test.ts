// Durable stage-change events through the real transports: SSE and WebSocket, filters,
// replay then live, many concurrent writers, and rolled-back mutations leaving no event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion, transition } from './support/ops.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';
import { type EventStream, subscribeSSE, subscribeWS } from './support/subscriptions.js';

const STAGE_CHANGED = `subscription($name: String, $stages: [Stage!], $after: String) {
  stageChanged(name: $name, stages: $stages, after: $after) { cursor name version fromStage toStage comment modelVersion { version stage } }
}`;
const REGISTRY_EVENTS = `subscription($names: [String!], $types: [RegistryEventType!], $after: String) {
  registryEvents(names: $names, types: $types, after: $after) { cursor type name version actor transition { toStage } registeredModel { name } }
}`;

describe.each(databaseKinds)('stage-change events (%s)', (kind) => {
  let r: TestRegistry;
  let url: string;
  let wsUrl: string;
  const streams: EventStream[] = [];
  const fetchFn = (u: string, init: RequestInit) => r.app.yoga.fetch(u, init);

  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry(kind));
    wsUrl = url.replace('http', 'ws');
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await r.stop();
  });

  const sse = async (query: string, variables?: Record<string, unknown>) => {
    const s = await subscribeSSE(fetchFn, 'http://registry/graphql', query, variables);
    streams.push(s);
    return s;
  };
  const ws = async (query: string, variables?: Record<string, unknown>) => {
    const s = await subscribeWS(wsUrl, query, variables);
    streams.push(s);
    return s;
  };

  for (const transport of ['sse', 'ws'] as const) {
    it(`delivers live stage changes with server-side filters over ${transport}`, async () => {
      const name = `live-${transport}`;
      await createModel(r, name);
      await createModel(r, `${name}-other`);
      for (let i = 0; i < 3; i++) await createVersion(r, name);
      await createVersion(r, `${name}-other`);
      const open = transport === 'sse' ? sse : ws;
      const prodOnly = await open(STAGE_CHANGED, { name, stages: ['PRODUCTION'] });
      const allOfModel = await open(STAGE_CHANGED, { name });

      await transition(r, { name: `${name}-other`, version: 1, stage: 'PRODUCTION' });
      await transition(r, { name, version: 1, stage: 'STAGING', comment: 'qa' });
      await transition(r, { name, version: 1, stage: 'PRODUCTION' });
      await transition(r, { name, version: 2, stage: 'PRODUCTION', archiveExistingVersions: true });

      const all = (await allOfModel.take(4)).map((d) => d.stageChanged);
      expect(all.map((e) => [e.version, e.fromStage, e.toStage])).toEqual([
        [1, 'NONE', 'STAGING'],
        [1, 'STAGING', 'PRODUCTION'],
        [2, 'NONE', 'PRODUCTION'],
        [1, 'PRODUCTION', 'ARCHIVED'],
      ]);
      expect(all[0].comment).toBe('qa');
      expect(all[3].modelVersion).toEqual({ version: 1, stage: 'ARCHIVED' });
      const prod = (await prodOnly.take(2)).map((d) => d.stageChanged);
      expect(prod.map((e) => e.version)).toEqual([1, 2]);
      expect(await prodOnly.quiet(300)).toBe(true);
      expect(await allOfModel.quiet(0)).toBe(true);
    });
  }

  it('replays every stored change after a cursor, then continues live with no gap and no repeat', async () => {
    const name = 'replay';
    await createModel(r, name);
    for (let i = 0; i < 4; i++) await createVersion(r, name);
    const first = await transition(r, { name, version: 1, stage: 'STAGING' });
    const cursor = first.transitions[0].cursor;
    for (const version of [2, 3, 4]) await transition(r, { name, version, stage: 'STAGING' });

    const stream = await sse(STAGE_CHANGED, { name, after: cursor });
    // Writes racing the switch from replay to live.
    const racing = [1, 2, 3, 4].map((version) => transition(r, { name, version, stage: 'PRODUCTION' }));
    await Promise.all(racing);
    const events = (await stream.take(7)).map((d) => d.stageChanged);
    expect(events.slice(0, 3).map((e) => [e.version, e.toStage])).toEqual([
      [2, 'STAGING'],
      [3, 'STAGING'],
      [4, 'STAGING'],
    ]);
    expect(events.slice(3).map((e) => e.toStage)).toEqual(['PRODUCTION', 'PRODUCTION', 'PRODUCTION', 'PRODUCTION']);
    expect(new Set(events.map((e) => e.cursor)).size).toBe(7);
    expect(await stream.quiet(300)).toBe(true);

    // The same cursor over WebSocket replays the same history.
    const again = await ws(STAGE_CHANGED, { name, after: cursor });
    expect((await again.take(7)).map((d) => d.stageChanged.cursor)).toEqual(events.map((e) => e.cursor));
  });

  it('every mutation writes its events; a rolled-back mutation writes none', async () => {
    const name = 'every-event';
    const stream = await ws(REGISTRY_EVENTS, { names: [name] });
    await r.gql(`mutation { createRegisteredModel(input: { name: "${name}", tags: [{ key: "team", value: "risk" }] }) { __typename } }`);
    await createVersion(r, name, { metrics: [{ key: 'accuracy', value: 0.9 }] });
    const refused = await transition(r, { name, version: 1, stage: 'PRODUCTION', requirements: [{ metric: 'accuracy', op: 'GT', value: 0.99 }] });
    expect(refused.__typename).toBe('PreconditionFailedError');
    await transition(r, { name, version: 1, stage: 'PRODUCTION' });
    await r.gql(`mutation { setRegisteredModelTag(input: { name: "${name}", key: "k", value: "v" }) { __typename } }`);
    await r.gql(`mutation { setRegisteredModelAlias(input: { name: "${name}", alias: "champion", version: 1 }) { __typename } }`);
    await r.gql(`mutation { logModelVersionMetrics(input: { name: "${name}", version: 1, metrics: [{ key: "f1", value: 0.5 }] }) { __typename } }`);
    await r.gql(`mutation { updateModelVersion(input: { name: "${name}", version: 1, description: "d" }) { __typename } }`);
    await r.gql(`mutation { updateRegisteredModel(input: { name: "${name}", description: "d" }) { __typename } }`);
    await r.gql(`mutation { deleteRegisteredModelAlias(input: { name: "${name}", alias: "champion" }) { __typename } }`);
    await r.gql(`mutation { deleteModelVersion(input: { name: "${name}", version: 1 }) { __typename } }`);
    await r.gql(`mutation { deleteRegisteredModel(input: { name: "${name}" }) { __typename } }`);
    const events = (await stream.take(11)).map((d) => d.registryEvents);
    expect(events.map((e) => e.type)).toEqual([
      'MODEL_CREATED',
      'VERSION_CREATED',
      'STAGE_CHANGED',
      'TAG_SET',
      'ALIAS_SET',
      'METRICS_LOGGED',
      'VERSION_UPDATED',
      'MODEL_UPDATED',
      'ALIAS_DELETED',
      'VERSION_DELETED',
      'MODEL_DELETED',
    ]);
    expect(events[2].transition).toEqual({ toStage: 'PRODUCTION' });
    expect(events.at(-1).registeredModel).toBeNull();
    expect(await stream.quiet(300)).toBe(true);
  });

  it('200 concurrent writers: one subscriber sees every event exactly once, in cursor order', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    for (const name of names) {
      await createModel(r, name);
      for (let v = 0; v < 4; v++) await createVersion(r, name);
    }
    const viaSSE = await sse(REGISTRY_EVENTS, { names });
    const viaWS = await ws(REGISTRY_EVENTS, { names, types: ['STAGE_CHANGED'] });
    const stagesCycle = ['STAGING', 'PRODUCTION', 'ARCHIVED', 'NONE'];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 5 === 4
          ? r.gql(`mutation($n: String!, $v: String!) { setRegisteredModelTag(input: { name: $n, key: "burst", value: $v }) { __typename } }`, {
              n: names[i % 10],
              v: String(i),
            })
          : transition(r, { name: names[i % 10], version: (i % 4) + 1, stage: stagesCycle[i % 4], archiveExistingVersions: i % 4 < 2 }),
      ),
    );
    expect(results).toHaveLength(200);
    // What was committed, in commit order, read back from the stored history.
    const stored = await r.gql(`query($after: String) { stageTransitions(first: 1000, after: $after) { edges { node { cursor name } } } }`);
    const expectedStage = stored.stageTransitions.edges.map((e: any) => e.node).filter((t: any) => names.includes(t.name)).map((t: any) => t.cursor);
    const tagEvents = 40;
    const all = (await viaSSE.take(expectedStage.length + tagEvents, 60_000)).map((d) => d.registryEvents);
    const cursors = all.map((e) => e.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    const positions = cursors.map((c) => Number(Buffer.from(c, 'base64url').toString().split(':')[1]));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(all.filter((e) => e.type === 'STAGE_CHANGED').map((e) => e.cursor)).toEqual(expectedStage);
    expect(all.filter((e) => e.type === 'TAG_SET')).toHaveLength(tagEvents);
    const stageOnly = (await viaWS.take(expectedStage.length, 60_000)).map((d) => d.registryEvents.cursor);
    expect(stageOnly).toEqual(expectedStage);
    expect(await viaSSE.quiet(300)).toBe(true);
  });

  it('a malformed or unknown cursor is a clear GraphQL error', async () => {
    const bad = await r.request(`subscription { stageChanged(after: "evilhax") { version } }`, undefined, { accept: 'application/graphql-response+json' });
    expect(JSON.stringify(bad)).toContain('Malformed event cursor');
    const future = Buffer.from('event:99999999').toString('base64url');
    const unknown = await r.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription($a: String) { stageChanged(after: $a) { version } }`, variables: { a: future } }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Unknown event cursor');
  });

  it('SSE sends keep-alive comments while idle (every 12 s; every 300 ms under NODE_ENV=test)', async () => {
    const response = await r.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { stageChanged(name: "idle") { version } }` }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const started = Date.now();
    let text = '';
    while (Date.now() - started < 1000) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text.split(':\n\n').length - 1).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain('event: next');
  });

  it('ends the server-side subscription when the client goes away', async () => {
    const before = r.app.events.subscriberCount;
    const a = await sse(STAGE_CHANGED, { name: 'gone' });
    const b = await ws(STAGE_CHANGED, { name: 'gone' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.app.events.subscriberCount).toBe(before + 2);
    await a.close();
    await b.close();
    for (let i = 0; i < 50 && r.app.events.subscriberCount > before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.app.events.subscriberCount).toBe(before);
  });
});

describe.each(databaseKinds)('events written while nobody subscribes (%s)', (kind) => {
  it('keeps the event lag at 0, and a stream opened later replays every change after its cursor, then goes live', async () => {
    // No safety-net poll during the test: the notifications alone must keep the lag at 0.
    const { registry: r, url } = await startListeningRegistry(kind, { eventPollMs: 600_000 });
    try {
      expect(r.app.events.subscriberCount).toBe(0);
      await createModel(r, 'unwatched');
      for (let i = 0; i < 3; i++) await createVersion(r, 'unwatched');
      const first = await transition(r, { name: 'unwatched', version: 1, stage: 'STAGING' });
      await transition(r, { name: 'unwatched', version: 2, stage: 'STAGING' });
      await transition(r, { name: 'unwatched', version: 1, stage: 'PRODUCTION' });
      const lag = async () => {
        const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
        return Number(text.split('\n').find((l) => l.startsWith('registry_event_lag '))?.split(' ')[1]);
      };
      await expect.poll(lag, { timeout: 2000 }).toBe(0);

      const stream = await subscribeSSE(fetch, url, STAGE_CHANGED, { name: 'unwatched', after: first.transitions[0].cursor });
      try {
        const replayed = (await stream.take(2)).map((d) => d.stageChanged);
        expect(replayed.map((e) => [e.version, e.fromStage, e.toStage])).toEqual([
          [2, 'NONE', 'STAGING'],
          [1, 'STAGING', 'PRODUCTION'],
        ]);
        await transition(r, { name: 'unwatched', version: 3, stage: 'PRODUCTION', archiveExistingVersions: true });
        const live = (await stream.take(2)).map((d) => d.stageChanged);
        expect(live.map((e) => [e.version, e.fromStage, e.toStage])).toEqual([
          [3, 'NONE', 'PRODUCTION'],
          [1, 'PRODUCTION', 'ARCHIVED'],
        ]);
        expect(await stream.quiet(200)).toBe(true);
      } finally {
        await stream.close();
      }
    } finally {
      await r.stop();
    }
  });
});

// Fan-out across server instances on one PostgreSQL database, and recovery when the
// listening connection drops (PostgreSQL only: PGlite lives in one process).
import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.js';
import { databaseKinds } from './support/databases.js';
import { createModel, createVersion, transition } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';
import { type EventStream, subscribeSSE } from './support/subscriptions.js';

const STAGE_CHANGED = `subscription($name: String) { stageChanged(name: $name) { cursor name version toStage } }`;

/** Starts `npm start`'s entry point as its own process on the given database; resolves its URL. */
async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', EVENT_POLL_MS: '600000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server process exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode != null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const postgresOnly = databaseKinds.filter((k) => k === 'postgres');

describe.skipIf(postgresOnly.length === 0)('fan-out across instances (postgres)', () => {
  let r: TestRegistry;
  let other: Awaited<ReturnType<typeof startServerProcess>>;
  const streams: EventStream[] = [];

  beforeAll(async () => {
    // A slow safety-net poll, so only LISTEN/NOTIFY and reconnect catch-up can deliver in time.
    r = await startRegistry('postgres', { eventPollMs: 600_000 });
    other = await startServerProcess(r.db.url!);
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await other?.stop();
    await r?.stop();
  });

  it('a change made through one server process reaches subscribers of the other, both ways', async () => {
    await createModel(r, 'fan');
    for (let i = 0; i < 3; i++) await createVersion(r, 'fan');
    const here = await subscribeSSE((u, init) => r.app.yoga.fetch(u, init), 'http://registry/graphql', STAGE_CHANGED, { name: 'fan' });
    const there = await subscribeSSE(fetch, other.url, STAGE_CHANGED, { name: 'fan' });
    streams.push(here, there);

    await post(other.url, `mutation { transitionModelVersionStage(input: { name: "fan", version: 1, stage: STAGING }) { __typename } }`);
    await transition(r, { name: 'fan', version: 2, stage: 'PRODUCTION' });
    await post(other.url, `mutation { transitionModelVersionStage(input: { name: "fan", version: 3, stage: PRODUCTION, archiveExistingVersions: true }) { __typename } }`);

    const expected = [
      [1, 'STAGING'],
      [2, 'PRODUCTION'],
      [3, 'PRODUCTION'],
      [2, 'ARCHIVED'],
    ];
    const seenHere = (await here.take(4, 5000)).map((d) => d.stageChanged);
    const seenThere = (await there.take(4, 5000)).map((d) => d.stageChanged);
    expect(seenHere.map((e) => [e.version, e.toStage])).toEqual(expected);
    expect(seenThere.map((e) => e.cursor)).toEqual(seenHere.map((e) => e.cursor));
  });

  it('announces a burst of commits with fewer NOTIFYs than commits, the last after the last commit', async () => {
    await createModel(r, 'burst');
    const listener = postgres(r.db.url!, { max: 1, onnotice: () => {} });
    const announced: number[] = [];
    await listener.listen('registry_events', (payload) => announced.push(Number(payload)));
    try {
      const writers = 100;
      await Promise.all(Array.from({ length: writers }, () => createVersion(r, 'burst')));
      const newest = await r.app.events.newestPosition();
      await expect.poll(() => announced.at(-1), { timeout: 5000 }).toBe(newest);
      expect(announced).toEqual([...announced].sort((a, b) => a - b));
      // A NOTIFY per commit would be `writers` of them (the commits queue on the model's row).
      expect(announced.length).toBeLessThan(writers);
    } finally {
      await listener.end();
    }
  });

  it('after the listening connection is terminated, changes (even those made while it was down) still arrive', async () => {
    await createModel(r, 'dropped');
    for (let i = 0; i < 3; i++) await createVersion(r, 'dropped');
    const stream = await subscribeSSE((u, init) => r.app.yoga.fetch(u, init), 'http://registry/graphql', STAGE_CHANGED, { name: 'dropped' });
    streams.push(stream);

    const killed = rowsOf<{ pid: number }>(
      await r.app.database.db.execute(sql`SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`),
    );
    expect(killed.length).toBeGreaterThanOrEqual(1); // this server's listener (and the other process's)
    // Committed by the other process while no listener is connected: its NOTIFY is lost, the
    // table still has it. (This server's own commits wake its subscribers without a NOTIFY.)
    await post(other.url, `mutation { transitionModelVersionStage(input: { name: "dropped", version: 1, stage: STAGING }) { __typename } }`);
    const first = await stream.next(8000);
    expect(first.stageChanged).toMatchObject({ version: 1, toStage: 'STAGING' });

    // And notifications flow again on the new connection.
    await post(other.url, `mutation { transitionModelVersionStage(input: { name: "dropped", version: 2, stage: PRODUCTION }) { __typename } }`);
    expect((await stream.next(5000)).stageChanged).toMatchObject({ version: 2, toStage: 'PRODUCTION' });
    const listeners = rowsOf<{ n: number }>(
      await r.app.database.db.execute(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'listen%'`),
    );
    expect(Number(listeners[0].n)).toBeGreaterThanOrEqual(1);
  });
});

describe.skipIf(postgresOnly.length === 0)('WORKERS=2 (postgres)', () => {
  it('runs two server processes on one port; changes through either reach a subscriber on either; SIGTERM stops all', async () => {
    const r = await startRegistry('postgres');
    const cluster = await startServerProcess(r.db.url!, { WORKERS: '2', EVENT_POLL_MS: '2000' });
    try {
      const { execFileSync } = await import('node:child_process');
      const workers = execFileSync('ps', ['--ppid', String(cluster.child.pid), '-o', 'pid=']).toString().trim().split('\n');
      expect(workers).toHaveLength(2);
      await post(cluster.url, `mutation { createRegisteredModel(input: { name: "clustered" }) { __typename } }`);
      await post(cluster.url, `mutation { createModelVersion(input: { name: "clustered", source: "s3://c" }) { __typename } }`);
      const streams = [await subscribeSSE(fetch, cluster.url, STAGE_CHANGED, { name: 'clustered' }), await subscribeSSE(fetch, cluster.url, STAGE_CHANGED, { name: 'clustered' })];
      const stages = ['STAGING', 'PRODUCTION', 'ARCHIVED', 'NONE', 'STAGING', 'PRODUCTION'];
      // Separate connections, so the cluster spreads them over its workers.
      for (const stage of stages) await post(cluster.url, `mutation { transitionModelVersionStage(input: { name: "clustered", version: 1, stage: ${stage} }) { __typename } }`);
      for (const stream of streams) {
        expect((await stream.take(stages.length, 10_000)).map((d) => d.stageChanged.toStage)).toEqual(stages);
        await stream.close();
      }
    } finally {
      await cluster.stop();
      expect(cluster.child.exitCode).toBe(0);
      await r.stop();
    }
  });
});

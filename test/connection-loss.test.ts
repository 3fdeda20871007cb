// PostgreSQL ending the registry's connections mid-write (a restart, a failover, pg_terminate_backend):
// the process stays up, every request is answered, nothing is half-written, and writes carry on.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.js';
import { createModel, createVersion, stages } from './support/ops.js';
import { type GraphQLResponse, startRegistry, type TestRegistry } from './support/registry.js';

const MODELS = Array.from({ length: 10 }, (_, i) => `lost-${i}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CREATE = `mutation($name: String!) { createModelVersion(input: { name: $name, source: "s3://lost" }) {
  __typename ... on CreateModelVersionPayload { modelVersion { version } } ... on Error { code message } } }`;
const TRANSITION = `mutation($name: String!, $version: Int!) {
  transitionModelVersionStage(input: { name: $name, version: $version, stage: PRODUCTION, archiveExistingVersions: true }) {
    __typename ... on TransitionModelVersionStagePayload { modelVersion { stage } } ... on Error { code message } } }`;

/** Rejects when the request is not answered in time: a hang is a failure, not a slow pass. */
function answeredWithin<T>(ms: number, request: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)));
  return Promise.race([request, late]).finally(() => clearTimeout(timer));
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('connections ended by PostgreSQL during writes (postgres)', () => {
  let r: TestRegistry;
  let admin: postgres.Sql;
  let databaseName: string;
  beforeAll(async () => {
    r = await startRegistry('postgres');
    admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    databaseName = new URL(r.db.url!).pathname.slice(1);
    for (const name of MODELS) {
      await createModel(r, name);
      await createVersion(r, name);
    }
  });
  afterAll(async () => {
    await admin?.end();
    await r?.stop();
  });

  it('answers every request, writes nothing by halves, and keeps working after 5 rounds of killed connections', async () => {
    const answers: GraphQLResponse[] = [];
    let writing = true;
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        const name = MODELS[(w + i) % MODELS.length];
        const request =
          i % 2 === 0
            ? r.request(CREATE, { name })
            : r.request(TRANSITION, { name, version: 1 + ((w * 7 + i) % 3) });
        answers.push(await answeredWithin(10_000, request, `writer ${w}, request ${i}`));
      }
    };
    const writers = Array.from({ length: 20 }, (_, w) => writer(w));
    for (let round = 0; round < 5; round++) {
      await sleep(150);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${databaseName} AND pid <> pg_backend_pid()`;
    }
    await sleep(150);
    writing = false;
    await Promise.all(writers);

    // Every answer is a GraphQL response; a write cut off by the lost connection is a masked error.
    const failed = answers.filter((a) => a.errors?.length);
    expect(answers.every((a) => a.status === 200 && (a.data || a.errors))).toBe(true);
    expect(failed.length, 'no write was cut off: the kills missed every request').toBeGreaterThan(0);
    expect(answers.length - failed.length).toBeGreaterThan(0);
    for (const a of failed) expect(JSON.stringify(a.errors)).not.toMatch(/postgres|CONNECTION_|ECONN|terminat|\.js\b/i);

    // The pool reconnects: the next write of every model succeeds.
    for (const name of MODELS) {
      const created = await answeredWithin(10_000, createVersion(r, name), `create after the kills (${name})`);
      expect(created.__typename).toBe('CreateModelVersionPayload');
    }

    // Nothing half-written: one PRODUCTION version at most, numbers 1..n, and a gapless event log
    // with an event for every stage transition record.
    for (const name of MODELS) {
      const byVersion = await stages(r, name);
      const numbers = Object.keys(byVersion).map(Number).sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
      expect(Object.values(byVersion).filter((s) => s === 'PRODUCTION').length).toBeLessThanOrEqual(1);
    }
    const [log] = rowsOf<{ events: number; last: number; counter: number; unlogged: number }>(
      await r.db.database.db.execute(sql`SELECT
        (SELECT count(*) FROM registry_events)::int AS events,
        (SELECT coalesce(max(position), 0) FROM registry_events)::int AS last,
        (SELECT last_position FROM registry_event_counter)::int AS counter,
        (SELECT count(*) FROM stage_transitions t WHERE NOT EXISTS (SELECT 1 FROM registry_events e WHERE e.transition_id = t.id))::int AS unlogged`),
    );
    expect(log).toEqual({ events: log.last, last: log.counter, counter: log.counter, unlogged: 0 });
  });
});

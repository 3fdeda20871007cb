// Seeds a benchmark database through the registry's own tables with set-based SQL
// (INSERT ... SELECT generate_series), in one transaction, and reuses a seed of the same size.
//
// Shape, for model i (ids 1..N, name model-0000042, so name order = id order):
//   10 versions, ids (i-1)*10+v; versions 1-3 ARCHIVED; 9 PRODUCTION for 3 models in 4, else
//   STAGING; 8 STAGING for even i; 10 STAGING for every 5th model; the rest NONE.
//   2 tags per model and per version, 2 metrics per version, aliases `latest` (v10) and
//   `champion` (the PRODUCTION version). next_version = 11. No stage history or events:
//   stage_transitions and registry_events stay empty and the event counter is 0.
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { Progress } from './progress.js';

/** The benchmark's database: BENCH_DATABASE_URL, or registry_bench on the local PostgreSQL. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/registry_bench';
export const VERSIONS_PER_MODEL = 10;
/** Bumped when the seed's shape changes, so an older seed is not reused. */
const LAYOUT = 1;
const CHUNK = 20_000;

const TABLES = [
  'registered_models',
  'model_versions',
  'registered_model_tags',
  'model_version_tags',
  'model_version_metrics',
  'registered_model_aliases',
  'stage_transitions',
  'registry_events',
];

/** The seeded stage of version `v` of model `i` (SQL over two integer expressions). */
export function seededStage(i: string, v: string): string {
  return `(CASE WHEN ${v} <= 3 THEN 'ARCHIVED'
    WHEN ${v} = 9 AND ${i} % 4 <> 0 THEN 'PRODUCTION'
    WHEN ${v} = 9 THEN 'STAGING'
    WHEN ${v} = 8 AND ${i} % 2 = 0 THEN 'STAGING'
    WHEN ${v} = 10 AND ${i} % 5 = 0 THEN 'STAGING'
    ELSE 'NONE' END)::stage`;
}

export const modelName = (i: number) => `model-${String(i).padStart(7, '0')}`;
const T0 = `timestamptz '2025-01-01 00:00:00+00'`;

/** One chunk of models [a, b] with everything that hangs off them. */
function chunkStatements(a: number, b: number): string[] {
  const series = `generate_series(${a}, ${b}) AS i`;
  const versions = `${series} CROSS JOIN generate_series(1, ${VERSIONS_PER_MODEL}) AS v`;
  const vid = `(i - 1) * ${VERSIONS_PER_MODEL} + v`;
  return [
    `INSERT INTO registered_models (id, name, description, created_at, updated_at, next_version) OVERRIDING SYSTEM VALUE
       SELECT i, 'model-' || lpad(i::text, 7, '0'), 'Benchmark model ' || i, ${T0} + i * interval '1 minute',
         ${T0} + i * interval '1 minute', ${VERSIONS_PER_MODEL + 1} FROM ${series}`,
    `INSERT INTO registered_model_tags (model_id, key, value)
       SELECT i, k.key, CASE k.key WHEN 'team' THEN 'team-' || (i % 20) ELSE 'domain-' || (i % 7) END
       FROM ${series} CROSS JOIN (VALUES ('team'), ('domain')) AS k(key)`,
    `INSERT INTO model_versions (id, model_id, version, stage, status, source, run_id, created_at, updated_at) OVERRIDING SYSTEM VALUE
       SELECT ${vid}, i, v, ${seededStage('i', 'v')}, 'READY', 's3://bench/model-' || lpad(i::text, 7, '0') || '/' || v,
         'run-' || i || '-' || v, ${T0} + i * interval '1 minute' + v * interval '1 second',
         ${T0} + i * interval '1 minute' + v * interval '1 second' FROM ${versions}`,
    `INSERT INTO model_version_tags (version_id, key, value)
       SELECT ${vid}, k.key, CASE k.key WHEN 'framework' THEN (ARRAY['sklearn', 'pytorch', 'xgboost'])[1 + (i + v) % 3]
         ELSE 'ds-' || ((i * 7 + v) % 100) END
       FROM ${versions} CROSS JOIN (VALUES ('framework'), ('dataset')) AS k(key)`,
    `INSERT INTO model_version_metrics (version_id, key, value)
       SELECT ${vid}, k.key, CASE k.key WHEN 'accuracy' THEN 0.5 + ((i * 31 + v * 17) % 500) / 1000.0
         ELSE ((i * 13 + v * 7) % 1000) / 1000.0 END
       FROM ${versions} CROSS JOIN (VALUES ('accuracy'), ('loss')) AS k(key)`,
    `INSERT INTO registered_model_aliases (model_id, alias, version_id)
       SELECT i, 'latest', (i - 1) * ${VERSIONS_PER_MODEL} + ${VERSIONS_PER_MODEL} FROM ${series}
       UNION ALL SELECT i, 'champion', (i - 1) * ${VERSIONS_PER_MODEL} + 9 FROM ${series} WHERE i % 4 <> 0`,
  ];
}

async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`SELECT 1 AS ok FROM pg_database WHERE datname = ${name}`;
    if (!row) await admin.unsafe(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

export interface SeedResult {
  models: number;
  versions: number;
  reused: boolean;
  /** Seconds the seed took (0 when reused); includes VACUUM ANALYZE. */
  seconds: number;
  databaseMb: number;
}

/** Creates the database if missing, migrates it, and seeds `models` models unless that seed is there. */
export async function ensureSeed(url: string, models: number): Promise<SeedResult> {
  await ensureDatabase(url);
  const registry = await openDatabase({ databaseUrl: url, poolSize: 2 }); // runs the registry's migrations
  await registry.close();

  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)`;
    const [meta] = await sql`SELECT value FROM bench_meta WHERE key = 'seed'`;
    const wanted = { models, versionsPerModel: VERSIONS_PER_MODEL, layout: LAYOUT };
    const started = Date.now();
    let reused = false;
    if (meta && meta.value.models === models && meta.value.versionsPerModel === VERSIONS_PER_MODEL && meta.value.layout === LAYOUT) {
      reused = true;
      await restoreSeed(sql);
    } else {
      await seed(sql, models, wanted);
    }
    const [{ mb }] = await sql`SELECT (pg_database_size(current_database()) / 1048576)::int AS mb`;
    return { models, versions: models * VERSIONS_PER_MODEL, reused, seconds: reused ? 0 : (Date.now() - started) / 1000, databaseMb: mb };
  } finally {
    await sql.end();
  }
}

async function seed(sql: postgres.Sql, models: number, wanted: object): Promise<void> {
  const chunks = Math.ceil(models / CHUNK);
  // Weights: each chunk of inserts ~ 1, rebuilding the indexes ~ a third of the inserts, VACUUM ~ a fifth.
  const progress = new Progress(`seed ${models.toLocaleString('en')} models`, chunks * 3 + chunks + Math.max(1, Math.ceil(chunks * 0.6)));
  progress.tick(0, 'starting');
  // One transaction: a failed or interrupted seed leaves the database as it was.
  await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL session_replication_role = replica`); // no per-row FK triggers during the load
    await tx.unsafe(`SET LOCAL maintenance_work_mem = '1GB'`);
    await tx.unsafe(`SET LOCAL synchronous_commit = off`);
    await tx.unsafe(`DELETE FROM bench_meta`);
    // CASCADE: also empties any newer table that refers to these (grants and the like).
    await tx.unsafe(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
    // Secondary indexes are dropped for the load and rebuilt once: much faster than row by row.
    const indexes = await tx<{ indexname: string; indexdef: string }[]>`
      SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ${tx(TABLES)}
        AND indexname NOT IN (SELECT conname FROM pg_constraint)`;
    for (const index of indexes) await tx.unsafe(`DROP INDEX "${index.indexname}"`);
    for (let c = 0; c < chunks; c++) {
      const a = c * CHUNK + 1;
      const b = Math.min(models, (c + 1) * CHUNK);
      for (const statement of chunkStatements(a, b)) await tx.unsafe(statement);
      progress.tick(3, `models ${b.toLocaleString('en')}`);
    }
    for (const table of ['registered_models', 'model_versions', 'stage_transitions']) {
      await tx.unsafe(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1), (SELECT max(id) FROM ${table}) IS NOT NULL)`);
    }
    for (const index of indexes) {
      await tx.unsafe(index.indexdef);
      progress.tick(chunks / indexes.length, `index ${index.indexname}`);
    }
    await tx.unsafe(`UPDATE registry_event_counter SET last_position = (SELECT COALESCE(max(position), 0) FROM registry_events) WHERE id = 1`);
    await tx`INSERT INTO bench_meta (key, value) VALUES ('seed', ${tx.json(wanted as postgres.JSONValue)})`;
  });
  progress.tick(0, 'vacuum analyze');
  await sql.unsafe(`VACUUM (ANALYZE) ${TABLES.join(', ')}, registry_event_counter`);
  // Flush the load's dirty pages now, not while the first measurements run.
  progress.tick(0, 'checkpoint');
  await sql.unsafe('CHECKPOINT');
  progress.finish('seeded');
}

/** Marks the seed as changed by the write scenario, so the next run restores it first. */
export async function markDirty(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`INSERT INTO bench_meta (key, value) VALUES ('dirty', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'`;
  await sql.end();
}

/**
 * Undoes the write scenario's changes with set-based SQL: drops versions above 10, puts every
 * stage back, clears the stage history and events. No-op unless marked dirty or written since
 * the seed: every registry write logs an event, so writes made by hand through a server pointed at
 * this database (probes) are caught too, and their new versions and stage moves undone like Q4's.
 */
export async function restoreSeed(sql: postgres.Sql): Promise<boolean> {
  const [dirty] = await sql`SELECT 1 FROM bench_meta WHERE key = 'dirty'
    UNION ALL SELECT 1 FROM registry_event_counter WHERE last_position > 0
    UNION ALL (SELECT 1 FROM model_versions WHERE version > ${VERSIONS_PER_MODEL} LIMIT 1)`;
  if (!dirty) return false;
  const progress = new Progress('restore seed', 4);
  await sql.begin(async (tx) => {
    // Writers still in flight (a probe's server not yet stopped) finish first, and none start until
    // the restore commits: a version created between its DELETE and its UPDATE would outlive it,
    // behind a next_version that hands its number out again.
    await tx.unsafe('LOCK TABLE registered_models, model_versions IN EXCLUSIVE MODE');
    await tx.unsafe(`DELETE FROM model_versions WHERE version > ${VERSIONS_PER_MODEL}`);
    progress.tick(1, 'versions');
    await tx.unsafe(`UPDATE model_versions SET stage = ${seededStage('model_id', 'version')}, updated_at = created_at
      WHERE stage <> ${seededStage('model_id', 'version')} OR updated_at <> created_at`);
    progress.tick(1, 'stages');
    await tx.unsafe(`UPDATE registered_models SET next_version = ${VERSIONS_PER_MODEL + 1}, updated_at = created_at
      WHERE next_version <> ${VERSIONS_PER_MODEL + 1} OR updated_at <> created_at`);
    await tx.unsafe(`TRUNCATE stage_transitions, registry_events`);
    await tx.unsafe(`UPDATE registry_event_counter SET last_position = 0 WHERE id = 1`);
    await tx.unsafe(`DELETE FROM bench_meta WHERE key = 'dirty'`);
  });
  progress.tick(1, 'vacuum');
  await sql.unsafe(`VACUUM (ANALYZE) model_versions, registered_models, model_version_tags, model_version_metrics`);
  progress.finish('restored');
  return true;
}

/** The tables the write scenario changes: what autovacuum would clean between its rounds. */
const WRITTEN_TABLES = 'registered_models, model_versions, model_version_tags, model_version_metrics, pending_event_batches, registry_event_counter, registry_events, stage_transitions';

/**
 * Vacuums what the write scenario changed, so each round starts as the first did. A PostgreSQL
 * with autovacuum off (as this machine's is) would otherwise slow each round with the previous
 * ones' dead rows; with autovacuum on, it would have done this.
 */
export async function vacuumWrittenTables(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`VACUUM ${WRITTEN_TABLES}`);
  } finally {
    await sql.end();
  }
}

export async function restoreSeedAt(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await restoreSeed(sql);
  } finally {
    await sql.end();
  }
}

// `tsx bench/seed.ts [--models N]`: seed (or reuse) without running the benchmark.
if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--models');
  const models = at > 0 ? Number(process.argv[at + 1]) : 100_000;
  const result = await ensureSeed(BENCH_DATABASE_URL, models);
  console.log(JSON.stringify(result));
}

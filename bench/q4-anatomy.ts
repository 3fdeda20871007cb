// `npm run bench:q4-anatomy`: where Q4's write latency goes, on the benchmark's database and pinning.
// Alternates two builds of the commit-time event append (drizzle/0004), a fresh registry server
// for each round, and samples what PostgreSQL's backends wait on every 10 ms:
//   as-built      positions from the counter row, under its lock, and a NOTIFY: commits queue one by
//                 one through each other's WAL flush (NOTIFY's commit lock alone would do the same).
//   unserialized  a DIAGNOSTIC ONLY: positions from a sequence and no NOTIFY, so commits share WAL
//                 flushes. Positions may then commit out of order, so the registry must never run so.
//   sequence-only, no-notify-only   one of the two changes each (diagnostic only as well).
// The function is restored afterwards, and the seed with it.
// Options: --rounds N [3] · --duration S [15] · --warmup S [10] (per round, on its fresh server)
//          --builds LIST [as-built,unserialized]
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import type { LoadSpec } from './load.js';
import { ensureSeed, markDirty, restoreSeedAt, vacuumWrittenTables } from './seed.js';
import { buildRegistry, cpuPerRequest, cpuSnapshot, runLoad, startServer, stopServer } from './servers.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const rounds = option('rounds', 3);
const duration = option('duration', 15);
const warmup = option('warmup', 10);
const chosen = (argv.includes('--builds') ? argv[argv.indexOf('--builds') + 1] : 'as-built,unserialized').split(',');
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/registry_bench';
const MODELS = 100_000;

const COUNTER_DRAW = `UPDATE registry_event_counter SET last_position = last_position + n WHERE id = 1
    RETURNING last_position - n + 1 INTO first_position;`;
const NOTIFY = `PERFORM pg_notify('registry_events', (first_position + n - 1)::text);`;
// Far above any counter position, stepping past a whole batch per draw.
const SEQUENCE = `CREATE SEQUENCE IF NOT EXISTS bench_unserialized_positions START WITH 1000000000000 INCREMENT BY 100000`;

/** The diagnostic builds of the function; an error if drizzle/0004's text has changed. */
function buildsOf(asBuilt: string): Record<string, string> {
  if (!asBuilt.includes(COUNTER_DRAW) || !asBuilt.includes(NOTIFY)) throw new Error('append_pending_events no longer has the statements this diagnostic replaces');
  const fromSequence = (f: string) => f.replace(COUNTER_DRAW, `first_position := nextval('bench_unserialized_positions');`);
  const silent = (f: string) => f.replace(NOTIFY, '');
  return { 'as-built': asBuilt, unserialized: silent(fromSequence(asBuilt)), 'sequence-only': fromSequence(asBuilt), 'no-notify-only': silent(asBuilt) };
}

/** Busy share of each core (and of both) between two readings of /proc/stat. */
const cpuLines = () => readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d* /.test(l)).map((l) => l.trim().split(/\s+/).slice(1).map(Number));
function busy(before: number[][], after: number[][]): string[] {
  return after.map((b, i) => {
    const a = before[i];
    const total = b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0);
    return `${Math.round(100 * (1 - (b[3] + b[4] - a[3] - a[4]) / total))}%`;
  });
}

/** Samples the database's active backends until stopped; returns the mean number in each state. */
function sampleWaits(sql: postgres.Sql): () => Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql`SELECT CASE WHEN wait_event_type = 'Lock' THEN 'waiting for a row or commit lock'
          WHEN wait_event IN ('WALSync', 'WALWrite') THEN 'writing or flushing WAL'
          WHEN wait_event_type = 'LWLock' THEN 'on a shared-memory lock'
          WHEN wait_event_type IS NULL THEN 'running' ELSE wait_event_type || ':' || wait_event END AS state, count(*)::int AS n
        FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`;
      for (const r of rows) totals[r.state] = (totals[r.state] ?? 0) + r.n;
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round((10 * v) / samples) / 10]));
  };
}

const sql = postgres(url, { max: 2, onnotice: () => {} });
let asBuilt: string | null = null;
const restore = async () => {
  if (asBuilt) await sql.unsafe(asBuilt);
  await sql.unsafe('DROP SEQUENCE IF EXISTS bench_unserialized_positions');
};
process.once('SIGINT', () => void restore().finally(() => process.exit(130)));
try {
  buildRegistry();
  await ensureSeed(url, MODELS);
  const [row] = await sql<{ definition: string }[]>`SELECT pg_get_functiondef('append_pending_events'::regproc) AS definition`;
  asBuilt = row.definition;
  const all = buildsOf(asBuilt);
  const builds = Object.fromEntries(chosen.map((name) => {
    if (!all[name]) throw new Error(`no build ${name}: ${Object.keys(all).join(', ')}`);
    return [name, all[name]];
  }));
  await sql.unsafe(SEQUENCE);
  await markDirty(url);
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [build, definition] of Object.entries(builds)) {
      await sql.unsafe(definition);
      const server = await startServer('registry', url, process.execPath);
      try {
        const spec: LoadSpec = { mode: 'throughput', url: server.url, target: 'registry', scenario: 'q4', connections: 50, duration, ctx: { models: MODELS } };
        await runLoad({ ...spec, duration: warmup }); // the write path's JIT, on every fresh server
        await vacuumWrittenTables(url);
        const [cpu0, stat0, waits] = [cpuSnapshot(server.child.pid!), cpuLines(), sampleWaits(sql)];
        const r = await runLoad(spec);
        const [state, cores, cpu] = [await waits(), busy(stat0, cpuLines()), cpuPerRequest(cpu0, cpuSnapshot(server.child.pid!), r.requests)];
        const line = `| ${round} | ${build} | ${Math.round(r.rps)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.errors} | ${cpu?.serverMs} + ${cpu?.postgresMs} | ${cores.join(' / ')} | ${Object.entries(state).filter(([, v]) => v >= 0.1).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')} |`;
        console.log(line);
        lines.push(line);
      } finally {
        await stopServer(server);
      }
    }
  }
  console.log(`\nQ4 at 50 connections, ${duration} s per round, server on core 0 and autocannon on core 1:\n`);
  console.log('| Round | Build | rps | p50 ms | p99 ms | max ms | errors | CPU ms per write (server + PostgreSQL) | busy (both / core 0 / core 1) | backends of the database, mean number in each state |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---|---|---|');
  for (const line of lines) console.log(line);
} finally {
  await restore();
  await sql.end();
  await restoreSeedAt(url);
}

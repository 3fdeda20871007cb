// `npm run bench:q4-anatomy`: where Q4's write latency goes, on the benchmark's database and pinning.
// Runs Q4 (50 connections) against builds of the commit-time event append (bench/event-append.ts),
// a fresh registry server and a vacuum before each round, the order reversed every other round.
// While autocannon sends, it samples what the database's backends wait on (pg_stat_activity) and
// each core's busy share (/proc/stat) and WAL flushes with their mean time (pg_stat_wal, which backends
// report at most once a second; timed with track_wal_io_timing, set on the bench database for the
// run by prepareDiagnostics). The function is restored from the newest migration that defines it, before and after.
// Options: --rounds N [3] · --duration S [15] · --warmup S [10] (per round, on its fresh server)
//          --builds LIST [as-built,unserialized] (also: row-lock-queue, notify-at-commit)
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { eventAppendBuilds, prepareDiagnostics, repairEventAppend, restoreEventAppend } from './event-append.js';
import type { LoadResult, LoadSpec } from './load.js';
import { BENCH_DATABASE_URL, ensureSeed, markDirty, restoreSeedAt, vacuumWrittenTables } from './seed.js';
import { buildRegistry, cpuPerRequest, type CpuSnapshot, cpuSnapshot, runLoad, startServer, stopServer } from './servers.js';

function options() {
  const argv = process.argv.slice(2);
  const get = (name: string, fallback: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] ?? '' : fallback);
  const count = (name: string, fallback: number) => {
    const n = Number(get(name, String(fallback)));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number of at least 1`);
    return n;
  };
  const all = eventAppendBuilds();
  const builds = get('builds', 'as-built,unserialized').split(',');
  for (const b of builds) if (!all[b]) throw new Error(`no build ${b}: ${Object.keys(all).join(', ')}`);
  return { rounds: count('rounds', 3), duration: count('duration', 15), warmup: count('warmup', 10), builds: builds.map((b) => [b, all[b]] as const) };
}

const MODELS = 100_000;
const url = BENCH_DATABASE_URL;

/** Per core: user, nice, system, idle, iowait, irq, softirq, steal (the rest are inside user and nice). */
const readCores = () =>
  readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => line.trim().split(/\s+/).slice(1, 9).map(Number));

/** Each core's share of time doing work (steal counts as neither work nor idle). */
function busyShares(before: number[][], after: number[][]): string {
  return after
    .map((b, core) => {
      const d = b.map((v, i) => v - before[core][i]);
      const total = d.reduce((x, y) => x + y, 0);
      return `${Math.round((100 * (d[0] + d[1] + d[2] + d[5] + d[6])) / total)}%`;
    })
    .join(' / ');
}

/** Why an active backend is not running: the lock it waits for, WAL, or anything else by name. */
const STATE = `CASE WHEN wait_event_type IS NULL THEN 'running'
  WHEN wait_event IN ('transactionid', 'tuple') THEN 'waiting for a row lock'
  WHEN wait_event = 'advisory' THEN 'queued for the event counter'
  WHEN wait_event_type = 'Lock' AND wait_event = 'object' THEN 'waiting for NOTIFY''s commit lock'
  WHEN wait_event IN ('WALSync', 'WALWrite') THEN 'writing or flushing WAL'
  ELSE wait_event_type || ':' || wait_event END`;

/** Samples the database's active backends (every 10 ms plus the query) until stopped. */
function sampleStates(sql: postgres.Sql) {
  const totals = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql.unsafe<{ state: string; n: number }[]>(`SELECT ${STATE} AS state, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND application_name <> '${APPLICATION}' GROUP BY 1`);
      for (const r of rows) totals.set(r.state, (totals.get(r.state) ?? 0) + r.n);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => {}); // its connection may be gone if the round failed
    const means = [...totals].map(([state, n]): [string, number] => [state, Math.round((10 * n) / samples) / 10]);
    return { samples, means: means.filter(([, mean]) => mean >= 0.1).sort((a, b) => b[1] - a[1]) };
  };
}

/** This script's own backends (its sampler's among them) are not the registry's: left out of PostgreSQL's CPU. */
function withoutOwn(snapshot: CpuSnapshot | null, pids: string[]): CpuSnapshot | null {
  for (const pid of pids) snapshot?.postgres.delete(pid);
  return snapshot;
}

/** WAL flushes to disk so far and the milliseconds they took, cluster-wide (nothing else is expected to write during the bench). */
async function walSyncs(sql: postgres.Sql): Promise<{ count: number; ms: number }> {
  const [row] = await sql<{ count: string; ms: number }[]>`SELECT wal_sync::text AS count, wal_sync_time AS ms FROM pg_stat_wal`;
  return { count: Number(row.count), ms: row.ms };
}

const APPLICATION = 'bench q4-anatomy';

interface Connections {
  /** Swaps the function, counts WAL flushes. */
  sql: postgres.Sql;
  sampler: postgres.Sql;
}

interface RoundStart {
  syncs: Promise<{ count: number; ms: number }>;
  cpu: CpuSnapshot | null;
  cores: number[][];
  at: number;
  stopSampling: ReturnType<typeof sampleStates>;
}

/** One measured Q4 run; the sampler is stopped whatever happens, since its connection is ended next. */
async function measureRound(db: Connections, ownPids: string[], serverPid: number, spec: LoadSpec) {
  let start: RoundStart | undefined;
  let states: Awaited<ReturnType<RoundStart['stopSampling']>> | undefined;
  let result: LoadResult;
  let after: { cpu: CpuSnapshot | null; cores: number[][]; at: number };
  try {
    result = await runLoad(spec, () => {
      const cpu = withoutOwn(cpuSnapshot(serverPid), ownPids);
      start = { syncs: walSyncs(db.sql), cpu, cores: readCores(), at: performance.now(), stopSampling: sampleStates(db.sampler) };
    });
    after = { cpu: withoutOwn(cpuSnapshot(serverPid), ownPids), cores: readCores(), at: performance.now() };
  } finally {
    states = await start?.stopSampling();
    await start?.syncs.catch(() => null);
  }
  if (!start || !states) throw new Error('the load generator never started');
  const [end, begin] = [await walSyncs(db.sql), await start.syncs];
  const flushes = end.count - begin.count;
  const flushedMs = end.ms - begin.ms; // 0 when the flushes went untimed
  const seconds = (after.at - start.at) / 1000;
  return {
    result,
    seconds,
    states,
    flushesPerWrite: Math.round((100 * flushes) / result.requests) / 100,
    // Mean flush time, and the share of the round spent flushing (PostgreSQL flushes WAL one flush at
    // a time). Lower bounds: the WAL writer's own flushes are counted but, outside the database's sessions, not timed.
    flushMs: flushes > 0 && flushedMs > 0 ? (flushedMs / flushes).toFixed(2) : 'untimed',
    flushingShare: flushedMs > 0 ? `${Math.round(flushedMs / (10 * seconds))}%` : '-',
    busy: busyShares(start.cores, after.cores),
    cpu: cpuPerRequest(start.cpu, after.cpu, result.requests),
  };
}

const opts = options();
const connect = () => postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: APPLICATION } });
const db: Connections = { sql: connect(), sampler: connect() };
let aborted = false;
// Stop after the step under way, then clean up; signals repeated meanwhile do not cut the cleanup short.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => (aborted = true));
const table: string[] = [];
try {
  buildRegistry();
  await ensureSeed(url, MODELS);
  await repairEventAppend(db.sql); // in case an earlier run was killed mid-way
  await prepareDiagnostics(db.sql);
  await db.sampler`SELECT 1`; // both connections open before the first measurement
  const ownPids = (await db.sql<{ pid: string }[]>`SELECT pid::text FROM pg_stat_activity WHERE application_name = ${APPLICATION}`).map((r) => r.pid);
  await markDirty(url);
  for (let round = 1; round <= opts.rounds && !aborted; round++) {
    const builds = round % 2 === 1 ? opts.builds : [...opts.builds].reverse();
    for (const [build, definition] of builds) {
      if (aborted) break;
      await db.sql.unsafe(definition);
      const server = await startServer('registry', url, process.execPath);
      try {
        const spec: LoadSpec = { mode: 'throughput', url: server.url, target: 'registry', scenario: 'q4', connections: 50, duration: opts.duration, ctx: { models: MODELS } };
        if (!aborted) await runLoad({ ...spec, duration: opts.warmup }); // the write path's JIT, on every fresh server
        if (aborted) break;
        await vacuumWrittenTables(url);
        const m = await measureRound(db, ownPids, server.child.pid!, spec);
        const { latencyMs: l } = m.result;
        const states = m.states.means.map(([state, mean]) => `${state} ${mean}`).join(', ');
        const cpu = `${m.cpu?.serverMs} + ${m.cpu?.postgresMs}`;
        const line = `| ${round} | ${build} | ${Math.round(m.result.rps)} | ${l.p50} | ${l.p99} | ${l.max} | ${m.result.errors} | ${cpu} | ${m.flushesPerWrite} | ${m.flushMs} | ${m.flushingShare} | ${m.busy} | ${states} (${m.states.samples} samples in ${m.seconds.toFixed(1)} s) |`;
        console.log(line);
        table.push(line);
      } finally {
        await stopServer(server);
      }
    }
  }
} finally {
  await restoreEventAppend(db.sql);
  await Promise.all([db.sql.end(), db.sampler.end()]);
  await restoreSeedAt(url);
}
console.log(`\nQ4 at 50 connections, ${opts.duration} s per round, server on core 0 and autocannon on core 1${aborted ? ' (stopped early)' : ''}:\n`);
console.log('| Round | Build | rps | p50 ms | p99 ms | max ms | errors | CPU ms per write (server + PostgreSQL) | WAL flushes per write | mean WAL flush ms | time spent flushing | busy (core 0 / core 1) | active backends of the database, mean number in each state |');
console.log('|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|');
for (const line of table) console.log(line);

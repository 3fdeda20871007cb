// `npm run bench`: seeds (or reuses) the benchmark database, starts the registry, PostGraphile and
// the hand-written SQL floor pinned to core 0, drives them with autocannon pinned to core 1, and
// writes bench/results.json and bench/RESULTS.md. Options (defaults in brackets):
//   --models N        models in the main seed, 10 versions each [100000]
//   --duration S      seconds per measured run [10]        --warmup S   seconds of warm-up before each [3]
//   --rounds N        A/B rounds; medians are reported [3]  --connections 10,50 [10,50]
//   --scenarios LIST  q1,q2,q3,q4,fanout [all]                     --targets LIST  registry,postgraphile,floor [all]
//   --curve           also measure page latency at 1k, 10k, 100k (and 1M with --curve-max 1000000) models
//   --curve-max N     largest curve size [100000]          --curve-duration S  seconds per curve run [5]
//   --curve-only      measure only the curve and put it into the existing bench/results.json
// Quick run: npm run bench -- --duration 3 --warmup 1 --rounds 1
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { cursorScope, encodeCursor } from '../src/db/queries/keyset.js';
import { repairEventAppendAt } from './event-append.js';
import { runFanout } from './fanout.js';
import type { LoadResult, LoadSpec } from './load.js';
import { type BenchResults, type Measured, median, writeReport } from './report.js';
import { POSTGRAPHILE_PAGE, REGISTRY_MODEL, REGISTRY_PAGE, type Scenario, type Target, TARGETS } from './scenarios.js';
import { BENCH_DATABASE_URL, ensureSeed, markDirty, modelName, restoreSeedAt, type SeedResult, vacuumWrittenTables } from './seed.js';
import { buildRegistry, cpuPerRequest, cpuSnapshot, hostCpuTicks, node22, root, rssMb, runLoad, type Server, sampleMemory, startDistScript, startServer, stealPercent, stopServer } from './servers.js';

function options() {
  const argv = process.argv.slice(2);
  const get = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] && !argv[at + 1].startsWith('--') ? argv[at + 1] : fallback;
  };
  const list = <T extends string>(name: string, fallback: string) => get(name, fallback).split(',').filter(Boolean) as T[];
  return {
    models: Number(get('models', '100000')),
    duration: Number(get('duration', '10')),
    warmup: Number(get('warmup', '3')),
    jitWarmup: Number(get('jit-warmup', '10')),
    rounds: Number(get('rounds', '3')),
    connections: list<string>('connections', '10,50').map(Number),
    scenarios: list<Scenario | 'fanout'>('scenarios', 'q1,q2,q3,q4,fanout'),
    fanoutSubscribers: Number(get('fanout-subscribers', '1000')),
    fanoutRounds: Number(get('fanout-rounds', '30')),
    targets: list<Target>('targets', TARGETS.join(',')),
    curve: argv.includes('--curve') || argv.includes('--curve-only'),
    curveOnly: argv.includes('--curve-only'),
    curveMax: Number(get('curve-max', '100000')),
    curveDuration: Number(get('curve-duration', '5')),
    url: BENCH_DATABASE_URL,
  };
}
type Options = ReturnType<typeof options>;

const log = (message: string) => process.stderr.write(`${message}\n`);

async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[]; extensions?: { sqlStatements?: number } };
  if (!res.ok || body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors ?? res.status).slice(0, 500)}`);
  return body;
}

/** The cursor after the model at `depth`, in each server's own format. */
async function deepCursor(server: Server, depth: number): Promise<string> {
  const name = modelName(depth);
  if (server.target === 'floor') return name;
  if (server.target === 'postgraphile') {
    const body = await post(server.url, `{ allRegisteredModels(first: 1, offset: ${depth - 1}, orderBy: NAME_ASC) { edges { cursor node { name } } } }`);
    return body.data.allRegisteredModels.edges[0].cursor;
  }
  // The registry pages by keyset only (no offset): its cursor is the name and id, bound to the order.
  const cursor = encodeCursor(cursorScope('registeredModels', [undefined, { field: 'NAME', direction: 'ASC' }]), name, depth);
  const body = await post(server.url, REGISTRY_PAGE, { after: cursor, first: 1, versions: 1 });
  if (body.data.registeredModels.edges[0]?.node.name !== modelName(depth + 1)) throw new Error('registry deep cursor does not land after the expected model');
  return cursor;
}

/** The first page's (model, versions) as each server returns it: the servers must agree. */
async function firstPage(server: Server): Promise<string> {
  if (server.target === 'floor') {
    const body = (await (await fetch(`${server.url}/q1?first=50&versions=5`)).json()) as any;
    return JSON.stringify(body.data.registeredModels.edges.map((e: any) => [e.node.name, e.node.versions.edges.map((v: any) => [v.node.version, v.node.stage, v.node.tags.length])]));
  }
  if (server.target === 'postgraphile') {
    const body = await post(server.url, POSTGRAPHILE_PAGE);
    return JSON.stringify(
      body.data.allRegisteredModels.edges.map((e: any) => [
        e.node.name,
        e.node.modelVersionsByModelId.edges.map((v: any) => [v.node.version, v.node.stage, v.node.modelVersionTagsByVersionId.nodes.length]),
      ]),
    );
  }
  const body = await post(server.url, REGISTRY_PAGE);
  return JSON.stringify(body.data.registeredModels.edges.map((e: any) => [e.node.name, e.node.versions.edges.map((v: any) => [v.node.version, v.node.stage, v.node.tags.length])]));
}

/** SQL statements per request from extensions.sqlStatements, at several page sizes. */
async function statementCounts(registry: Server, models: number) {
  const q1: { first: number; versions: number; statements: number }[] = [];
  for (const [first, versions] of [[1, 1], [10, 1], [50, 5], [200, 10], [1000, 10]]) {
    const body = await post(registry.url, REGISTRY_PAGE, { first, versions });
    q1.push({ first, versions, statements: body.extensions!.sqlStatements! });
  }
  const q2: { name: string; statements: number }[] = [];
  for (const i of [1, Math.ceil(models / 2), models]) {
    const body = await post(registry.url, REGISTRY_MODEL, { name: modelName(i) });
    q2.push({ name: modelName(i), statements: body.extensions!.sqlStatements! });
  }
  return { q1, q2 };
}

/** The registry's invariants after the write scenario, checked in SQL. */
async function checkInvariants(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql`SELECT
      (SELECT count(*) FROM (SELECT model_id FROM model_versions WHERE stage = 'PRODUCTION' GROUP BY model_id HAVING count(*) > 1) x)::int AS "modelsWithTwoProduction",
      (SELECT count(*) FROM registered_models m JOIN (SELECT model_id, count(*) n, min(version) lo, max(version) hi FROM model_versions GROUP BY model_id) v
         ON v.model_id = m.id WHERE v.lo <> 1 OR v.n <> v.hi OR m.next_version <> v.hi + 1)::int AS "modelsWithVersionGaps",
      (SELECT count(*) FROM stage_transitions t LEFT JOIN registry_events e ON e.position = t.position AND e.transition_id = t.id AND e.type = 'STAGE_CHANGED'
         WHERE e.position IS NULL)::int AS "transitionsWithoutEvent",
      (SELECT count(*) FROM registry_events e LEFT JOIN stage_transitions t ON t.id = e.transition_id
         WHERE e.type = 'STAGE_CHANGED' AND (t.id IS NULL OR t.position <> e.position))::int AS "stageEventsWithoutTransition",
      (SELECT count(*) FROM model_versions v JOIN LATERAL (SELECT to_stage FROM stage_transitions t WHERE t.version_id = v.id ORDER BY position DESC LIMIT 1) last
         ON true WHERE last.to_stage <> v.stage)::int AS "versionsNotInTheirLastStage",
      (SELECT last_position FROM registry_event_counter WHERE id = 1)::int AS "counter",
      (SELECT COALESCE(max(position), 0) FROM registry_events)::int AS "maxPosition",
      (SELECT count(*) FROM registry_events)::int AS "events",
      (SELECT count(*) FROM stage_transitions)::int AS "transitions",
      (SELECT count(*) FROM model_versions WHERE version > 10)::int AS "versionsCreated"`;
    const ok =
      r.modelsWithTwoProduction === 0 &&
      r.modelsWithVersionGaps === 0 &&
      r.transitionsWithoutEvent === 0 &&
      r.stageEventsWithoutTransition === 0 &&
      r.versionsNotInTheirLastStage === 0 &&
      r.counter === r.maxPosition &&
      r.events === r.maxPosition; // positions 1..max with no gap
    return { ok, ...r };
  } finally {
    await sql.end();
  }
}

/** The item with the median `by` (the upper one of an even count): a whole run, not a mix of runs. */
const medianBy = <T>(items: T[], by: (item: T) => number): T => [...items].sort((a, b) => by(a) - by(b))[Math.floor(items.length / 2)];
const p50 = (run: LoadResult) => run.latencyMs.p50;

function loadSpec(opts: Options, server: Server, scenario: Scenario, connections: number, deep: Record<string, string>, mode: LoadSpec['mode'], duration: number): LoadSpec {
  return { mode, url: server.url, target: server.target, scenario, connections, duration, ctx: { models: opts.models, deepCursor: deep[server.target] } };
}

/** The round under way, for the memory phases' names (0 outside the rounds). */
let phaseRound = 0;

async function measure(
  opts: Options,
  server: Server,
  scenario: Scenario,
  connections: number,
  deep: Record<string, string>,
  mode: LoadSpec['mode'] = 'throughput',
  duration = opts.duration,
  alternate?: Scenario,
) {
  const spec = { ...loadSpec(opts, server, scenario, connections, deep, mode, duration), alternate };
  server.phase = `${phaseRound ? `round ${phaseRound} ` : ''}${scenario}${alternate ? ` and ${alternate}` : ''} c${connections}${mode === 'latency' ? ' one at a time' : ''}`;
  if (opts.warmup > 0) await runLoad({ ...spec, duration: opts.warmup });
  const before = cpuSnapshot(server.child.pid!);
  const host = hostCpuTicks();
  const result = await runLoad(spec);
  const cpu = cpuPerRequest(before, cpuSnapshot(server.child.pid!), result.requests + (result.alternate?.requests ?? 0));
  const hostStealPercent = stealPercent(host, hostCpuTicks());
  server.phase = 'between its runs'; // the other servers' runs, vacuums and checks
  return { ...result, cpu, hostStealPercent };
}

async function curvePoint(opts: Options, size: number, nodeForPeer: string) {
  const base = new URL(opts.url);
  const label = size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`;
  const url = size === opts.models ? opts.url : (base.pathname = `${base.pathname}_${label}`, base.toString());
  const seed = await ensureSeed(url, size);
  const registry = await startServer('registry', url, nodeForPeer);
  const stopSampling = sampleMemory(() => [registry]);
  try {
    // At 99% depth, but with a full page of 50 models after it.
    const deepAt = Math.max(1, Math.min(Math.round(size * 0.99), size - 50));
    const deep = { registry: await deepCursor(registry, deepAt) };
    const o = { ...opts, models: size };
    // First and deep page alternately, `rounds` times (the curve passes 1); the median p50 is kept.
    const firsts: LoadResult[] = [];
    const deeps: LoadResult[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      firsts.push(await measure(o, registry, 'q1', 1, deep, 'latency', opts.curveDuration));
      deeps.push(await measure(o, registry, 'q3', 1, deep, 'latency', opts.curveDuration));
    }
    const [first, deepPage] = [firsts, deeps].map((runs) => medianBy(runs, p50));
    const loaded = await measure(o, registry, 'q1', 10, deep, 'throughput', opts.curveDuration);
    log(`curve ${label}: first page p50 ${first.latencyMs.p50} ms, deep page p50 ${deepPage.latencyMs.p50} ms, ${Math.round(loaded.rps)} rps at 10 connections`);
    return { models: size, database: url.replace(/\/\/[^@]*@/, '//'), seed, firstPage: first, deepPage, loaded, peakRssMb: registry.peakRssMb };
  } finally {
    stopSampling();
    await stopServer(registry);
  }
}

type CurveResult = Awaited<ReturnType<typeof curvePoint>>;

/**
 * The curve, `rounds` times over every size with a fresh server each time, in alternating order
 * (small to large, then large to small); per size the median of the rounds. One server start to
 * the next moves a 2-3 ms page by up to a fifth, more than the sizes do.
 */
async function curve(opts: Options, nodeForPeer: string): Promise<CurveResult[]> {
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= opts.curveMax);
  const runs = new Map<number, CurveResult[]>(sizes.map((size) => [size, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const size of round % 2 === 0 ? sizes : [...sizes].reverse()) runs.get(size)!.push(await curvePoint({ ...opts, rounds: 1 }, size, nodeForPeer));
  }
  return sizes.map((size) => {
    const points = runs.get(size)!;
    const seeded = points.find((p) => !p.seed.reused) ?? points[0];
    return {
      ...points[0],
      seed: seeded.seed,
      firstPage: medianBy(points, (p) => p50(p.firstPage)).firstPage,
      deepPage: medianBy(points, (p) => p50(p.deepPage)).deepPage,
      loaded: medianBy(points, (p) => p.loaded.rps).loaded,
      peakRssMb: Math.max(...points.map((p) => p.peakRssMb)),
    };
  });
}

/** Re-measures only the curve and puts it into the existing results. */
async function curveOnly(opts: Options) {
  const file = path.join(root, 'bench/results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  const before = results.curve;
  results.curve = await curve(opts, process.execPath);
  for (const point of results.curve) {
    // A reused seed keeps the seeding time measured when it was made.
    const seeded = before.find((p) => p.models === point.models && !p.seed.reused);
    if (point.seed.reused && seeded) point.seed = seeded.seed;
  }
  results.curveCommand = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  writeReport(results);
}

async function main() {
  const opts = options();
  buildRegistry();
  if (opts.curveOnly) return curveOnly(opts); // reads only: no write path to check
  const started = new Date();
  const loads: number[][] = [];
  const loadTimer = setInterval(() => loads.push(loadavg()), 5000);
  log(`bench: ${opts.models.toLocaleString('en')} models, ${opts.duration} s runs after ${opts.warmup} s warm-up, ${opts.rounds} round(s), connections ${opts.connections.join('/')}`);
  const seed: SeedResult = await ensureSeed(opts.url, opts.models);
  log(seed.reused ? `seed: reusing ${opts.models.toLocaleString('en')} models (${seed.databaseMb} MB)` : `seed: ${seed.seconds.toFixed(1)} s`);
  if (await repairEventAppendAt(opts.url)) log('restored append_pending_events, left behind by an interrupted bench:q4-anatomy');

  const nodeForPeer = opts.targets.includes('postgraphile') ? node22() : process.execPath;
  const servers: Server[] = [];
  const stopSampling = sampleMemory(() => servers);
  const results: BenchResults = {
    startedAt: started.toISOString(),
    options: { ...opts, url: opts.url.replace(/\/\/[^@]*@/, '//') },
    argv: process.argv.slice(2),
    registryCommand: startDistScript(),
    seed,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), freeMemoryGb: Math.round(freemem() / 2 ** 30) },
    versions: {},
    runs: [],
    latency: [],
    statements: null,
    agreement: null,
    writes: null,
    curve: [],
    peakRssMb: {},
    idleRssMb: {},
    afterProbesRssMb: null,
    loadAverage: [],
  };
  const cleanup = async () => {
    stopSampling();
    clearInterval(loadTimer);
    await Promise.all(servers.map(stopServer));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    for (const target of opts.targets) {
      servers.push(await startServer(target, opts.url, nodeForPeer));
      log(`started ${target}: ${servers.at(-1)!.log[0] ?? ''}`);
    }
    const byTarget = Object.fromEntries(servers.map((s) => [s.target, s])) as Record<Target, Server>;
    const deepAt = Math.round(opts.models * 0.99);
    const deep: Record<string, string> = {};
    for (const s of servers) deep[s.target] = await deepCursor(s, deepAt);
    const pages = await Promise.all(servers.map(firstPage));
    results.agreement = { sameFirstPage: pages.every((p) => p === pages[0]), targets: servers.map((s) => s.target) };
    if (!results.agreement.sameFirstPage) log('WARNING: the servers disagree on the first page');
    for (const s of servers) results.idleRssMb[s.target] = Math.round(rssMb(s.child.pid!));
    results.versions = await versionsOf(opts.url, nodeForPeer);

    const reads = opts.scenarios.filter((s): s is Scenario => s !== 'q4' && s !== 'fanout');
    // Once per server and read scenario before round 1: 3 s leaves the registry's V8 (Node 20, no
    // Maglev) compiling, TurboFan a fifth of its CPU 11 s in and a twentieth after 10 s of warm-up.
    if (opts.jitWarmup > 0) {
      for (const server of servers) {
        server.phase = 'JIT warm-up, reads';
        for (const scenario of reads) await runLoad(loadSpec(opts, server, scenario, 10, deep, 'throughput', opts.jitWarmup));
        server.phase = 'between its runs';
      }
      log(`warmed every server for ${opts.jitWarmup} s per read scenario`);
    }
    const total = opts.rounds * reads.length * opts.connections.length * servers.length;
    let done = 0;
    for (let round = 1; round <= opts.rounds; round++) {
      phaseRound = round;
      for (const scenario of reads) {
        for (const connections of opts.connections) {
          // A/B interleaved: each round starts with a different server.
          const order = servers.map((_, i) => servers[(i + round - 1) % servers.length]);
          for (const server of order) {
            const r = await measure(opts, server, scenario, connections, deep);
            results.runs.push({ round, scenario, connections, target: server.target, ...r });
            log(`[${++done}/${total}] round ${round} ${scenario} c${connections} ${server.target}: ${Math.round(r.rps)} rps, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms${r.errors ? `, ${r.errors} errors` : ''}`);
          }
        }
      }
    }
    // Unloaded page latency (one request at a time), first page and deep page, in interleaved
    // rounds like the loaded runs. With both pages, their requests take turns in one run, so a
    // shared host's slower seconds weigh on both alike, and one round per server (the median
    // deep/first ratio) gives both; with one page, the round with its median p50.
    const unloaded = reads.filter((s) => s !== 'q2');
    const paired = unloaded.includes('q1') && unloaded.includes('q3');
    const seconds = Math.min(opts.duration, 5);
    if (paired) results.latencyPairedSeconds = 2 * seconds;
    const latencyRuns = new Map<string, Measured[]>();
    const keep = (round: number, scenario: Scenario, server: Server, r: Measured) => {
      const key = `${scenario}|${server.target}`;
      latencyRuns.set(key, [...(latencyRuns.get(key) ?? []), r]);
      log(`latency round ${round} ${scenario} ${server.target}: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
    };
    for (let round = 1; round <= opts.rounds; round++) {
      phaseRound = round;
      for (const server of servers.map((_, i) => servers[(i + round - 1) % servers.length])) {
        if (paired) {
          // The pair's CPU is of both pages together: it is kept on neither.
          const { alternate, cpu: _pairCpu, ...first } = await measure(opts, server, 'q1', 1, deep, 'latency', 2 * seconds, 'q3');
          keep(round, 'q1', server, first);
          keep(round, 'q3', server, { ...alternate!, hostStealPercent: first.hostStealPercent }); // the same seconds
        } else {
          for (const scenario of unloaded) keep(round, scenario, server, await measure(opts, server, scenario, 1, deep, 'latency', seconds));
        }
      }
    }
    for (const server of servers) {
      const runsOf = (scenario: Scenario) => latencyRuns.get(`${scenario}|${server.target}`) ?? [];
      // Paired: both pages from one round, the one with the median deep/first ratio.
      const pairRounds = paired ? runsOf('q1').map((first, i) => ({ i, ratio: p50(runsOf('q3')[i]) / p50(first) })) : [];
      const pairRound = pairRounds.length ? medianBy(pairRounds, (r) => r.ratio).i : null;
      for (const scenario of unloaded) {
        const runs = runsOf(scenario);
        const kept = pairRound != null ? runs[pairRound] : runs.length ? medianBy(runs, p50) : undefined;
        if (kept) results.latency.push({ scenario, target: server.target, ...kept, p50ByRound: runs.map(p50) });
      }
    }

    if (opts.scenarios.includes('q4') && byTarget.registry) {
      await markDirty(opts.url);
      // The floor, when it runs, sends the same mix of writes as hand-written SQL in interleaved rounds:
      // the registry's share of a write's cost is what it spends above the floor.
      const writers = [byTarget.registry, byTarget.floor].filter((s): s is Server => s !== undefined);
      // The reads' one-time JIT warm-up, for the write path: after the reads, so that they run on the
      // seed as made, and before the first round's vacuum.
      phaseRound = 0;
      if (opts.jitWarmup > 0) {
        for (const server of writers) {
          server.phase = 'JIT warm-up, writes';
          await runLoad(loadSpec(opts, server, 'q4', 50, deep, 'throughput', opts.jitWarmup));
          server.phase = 'between its runs';
        }
      }
      const runs = new Map<Target, LoadResult[]>(writers.map((s) => [s.target, []]));
      for (let round = 1; round <= opts.rounds; round++) {
        phaseRound = round;
        for (const server of writers.map((_, i) => writers[(i + round - 1) % writers.length])) {
          await vacuumWrittenTables(opts.url);
          const r = await measure({ ...opts, warmup: round === 1 ? opts.warmup : 0 }, server, 'q4', 50, deep);
          runs.get(server.target)!.push(r);
          log(`q4 round ${round} ${server.target}: ${Math.round(r.rps)} rps, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.errors} errors`);
        }
      }
      const invariants = await checkInvariants(opts.url);
      log(`q4 invariants: ${invariants.ok ? 'hold' : 'BROKEN'} ${JSON.stringify(invariants)}`);
      const summary = (target: Target) => {
        const rs = runs.get(target)!;
        return {
          runs: rs,
          rps: median(rs.map((r) => r.rps)),
          p50: median(rs.map((r) => r.latencyMs.p50)),
          p99: median(rs.map((r) => r.latencyMs.p99)),
          errors: rs.reduce((n, r) => n + r.errors, 0),
        };
      };
      results.writes = { connections: 50, ...summary('registry'), invariants, ...(byTarget.floor ? { floor: summary('floor') } : {}) };
    }
    for (const s of servers) results.peakRssMb[s.target] = Math.round(s.peakRssMb);
    phaseRound = 0;
    // Last, so its 1,000 x 10 page does not weigh on the memory figures of the load runs.
    if (byTarget.registry) {
      byTarget.registry.phase = 'statement-count probes';
      results.statements = await statementCounts(byTarget.registry, opts.models);
      results.afterProbesRssMb = Math.round(rssMb(byTarget.registry.child.pid!));
      results.registryRssByPhase = { ...byTarget.registry.rssByPhase };
    }
    await cleanup();
    servers.length = 0;
    if (opts.scenarios.includes('q4')) await restoreSeedAt(opts.url);

    // Fan-out runs on a database of its own (created fresh), after the other servers are gone.
    if (opts.scenarios.includes('fanout')) {
      results.fanout = await runFanout({ subscribers: opts.fanoutSubscribers, rounds: opts.fanoutRounds, log });
    }

    if (opts.curve) results.curve = await curve(opts, nodeForPeer);
  } finally {
    await cleanup();
  }
  results.loadAverage = loads;
  results.finishedAt = new Date().toISOString();
  writeReport(results);
}

async function versionsOf(url: string, nodeForPeer: string): Promise<Record<string, string>> {
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [{ server_version }] = await sql`SHOW server_version`;
  const [{ autovacuum }] = await sql`SHOW autovacuum`;
  await sql.end();
  return {
    node: process.version,
    nodeForPostgraphile: execFileSync(nodeForPeer, ['-v'], { encoding: 'utf8' }).trim(),
    postgresql: server_version,
    postgresqlAutovacuum: autovacuum,
    ...Object.fromEntries(
      ['graphql', 'graphql-yoga', '@pothos/core', 'drizzle-orm', 'postgres', 'dataloader', '@envelop/graphql-jit', 'postgraphile', 'autocannon'].map((p) => [p, pkg(p)]),
    ),
  };
}

await main();

// Medians, ratios and targets; prints one table and writes bench/results.json and bench/RESULTS.md.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './load.js';
import { SCENARIO_TITLES, type Scenario, type Target } from './scenarios.js';
import type { FanoutResult } from './fanout.js';
import type { SeedResult } from './seed.js';
import { root } from './servers.js';

/** A measured run: the load's figures, and the share of the machine's CPU time the hypervisor took meanwhile (absent in runs before it was kept). */
export type Measured = LoadResult & { hostStealPercent?: number };

export interface Run extends Measured {
  round: number;
  scenario: Scenario;
  connections: number;
  target: Target;
}

export interface CurvePoint {
  models: number;
  database: string;
  seed: SeedResult;
  firstPage: Measured;
  deepPage: Measured;
  loaded: Measured;
  peakRssMb: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  options: Record<string, unknown> & { models: number; rounds: number; duration: number; warmup: number; jitWarmup?: number; connections: number[] };
  argv: string[];
  /** How the registry was started (npm run start:dist's command); absent in runs before it was recorded. */
  registryCommand?: string;
  seed: SeedResult;
  machine: { cpus: number; cpuModel: string; memoryGb: number; freeMemoryGb: number };
  versions: Record<string, string>;
  runs: Run[];
  /** Set when the first and deep pages' unloaded requests alternated within one run: its seconds (absent: measured apart). */
  latencyPairedSeconds?: number;
  /** One request at a time: unloaded latency. */
  latency: (Measured & { scenario: Scenario; target: Target; p50ByRound?: number[] })[];
  statements: { q1: { first: number; versions: number; statements: number }[]; q2: { name: string; statements: number }[] } | null;
  agreement: { sameFirstPage: boolean; targets: Target[] } | null;
  writes: {
    connections: number;
    runs: Measured[];
    rps: number;
    p50: number;
    p99: number;
    errors: number;
    invariants: Record<string, number | boolean> & { ok: boolean };
    /** The floor's same writes, hand-sent (absent in runs before it wrote, or without the floor). */
    floor?: { runs: Measured[]; rps: number; p50: number; p99: number; errors: number };
  } | null;
  curve: CurvePoint[];
  /** The fan-out scenario: subscribers on one server, one transition at a time. */
  fanout?: FanoutResult;
  /** Set when the curve was re-measured on its own (--curve-only). */
  curveCommand?: string;
  /** Peak during the load runs (before the statement-count probes). */
  peakRssMb: Partial<Record<Target, number>>;
  /** The registry's peak in each phase of the load runs (absent in runs before it was kept). */
  registryRssByPhase?: Record<string, number>;
  /** Right after start-up. */
  idleRssMb: Partial<Record<Target, number>>;
  /** The registry after the statement-count probes, which include a 1,000 x 10 page. */
  afterProbesRssMb: number | null;
  loadAverage: number[][];
  summary?: Summary[];
  targets?: TargetCheck[];
}

export interface Summary {
  scenario: Scenario;
  connections: number;
  target: Target;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Median CPU per request: the server's process and PostgreSQL's (ms); absent without /proc. */
  serverCpuMs?: number;
  postgresCpuMs?: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export const median = (values: number[]) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n: number | undefined, digits = 0) => (n == null || Number.isNaN(n) ? '-' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : NaN);

/** How much of the machine's CPU time the hypervisor took during the measured runs (empty when not recorded). */
function stealLine(r: BenchResults): string[] {
  const pct = (p: number | undefined) => (p == null ? '-' : `${fmt(p, 1)}%`);
  const all = [...r.runs, ...(r.writes?.runs ?? []), ...(r.writes?.floor?.runs ?? [])].map((run) => run.hostStealPercent).filter((p) => p != null);
  const curve = r.curve.map((c) => `${c.models.toLocaleString('en')}: ${[c.firstPage, c.deepPage, c.loaded].map((m) => pct(m.hostStealPercent)).join(' / ')}`);
  if (!all.length) return [];
  const q4 = (r.writes?.runs ?? []).map((run) => pct(run.hostStealPercent));
  return [
    `- CPU time the hypervisor took from this virtual machine (steal, \`/proc/stat\`, all CPUs) during the measured load runs: median ${fmt(median(all), 1)}%, max ${fmt(Math.max(...all), 1)}%${q4.length ? ` (the registry's Q4 rounds: ${q4.join(', ')})` : ''}${curve.length ? `; in the curve's runs (first page / deep page / loaded) ${curve.join('; ')}` : ''}. Stolen time may slow whichever server runs then.`,
  ];
}

function summarize(r: BenchResults): Summary[] {
  const keys = new Map<string, Run[]>();
  for (const run of r.runs) {
    const key = `${run.scenario}|${run.connections}|${run.target}`;
    keys.set(key, [...(keys.get(key) ?? []), run]);
  }
  return [...keys.values()].map((runs) => ({
    scenario: runs[0].scenario,
    connections: runs[0].connections,
    target: runs[0].target,
    rps: median(runs.map((x) => x.rps)),
    p50: median(runs.map((x) => x.latencyMs.p50)),
    p99: median(runs.map((x) => x.latencyMs.p99)),
    errors: runs.reduce((n, x) => n + x.errors, 0),
    ...cpuMedians(runs),
  }));
}

type CpuMedians = Pick<Summary, 'serverCpuMs' | 'postgresCpuMs'>;

function cpuMedians(runs: LoadResult[]): CpuMedians {
  const measured = runs.flatMap((x) => (x.cpu ? [x.cpu] : []));
  if (!measured.length) return {};
  return { serverCpuMs: median(measured.map((c) => c.serverMs)), postgresCpuMs: median(measured.map((c) => c.postgresMs)) };
}

/** Where each request's CPU went: the pinned server's process, and PostgreSQL's over both cores. */
function cpuTable(r: BenchResults, summary: Summary[]): string[] {
  if (!summary.some((s) => s.serverCpuMs != null) && !r.writes?.runs.some((w) => w.cpu)) return [];
  const cell = (s: CpuMedians | undefined) => (s?.serverCpuMs == null ? '-' : `${fmt(s.serverCpuMs, 2)} + ${fmt(s.postgresCpuMs, 2)}`);
  const writes = r.writes ? cpuMedians(r.writes.runs) : {};
  const floorWrites = r.writes?.floor ? cpuMedians(r.writes.floor.runs) : undefined;
  return [
    '## CPU per request (medians)',
    '',
    'Milliseconds of CPU per request while each load ran, read from `/proc`: the server under test (its whole process, pinned to core 0) + every PostgreSQL process. It tells whether a difference between the servers lies in the server or in the database. It moves with the host too, though less than requests per second (the server\'s share round by round below; PostgreSQL\'s in `results.json`).',
    '',
    ...rowsPerServer(
      r,
      (scenario, c, target) => cell(summary.find((s) => s.scenario === scenario && s.connections === c && s.target === target)),
      writes.serverCpuMs != null ? [cell(writes), cell(floorWrites)] : undefined,
    ),
    '',
    ...cpuByRound(r),
  ];
}

/** The server's CPU per request round by round: a server that slows down the longer it runs shows here. */
function cpuByRound(r: BenchResults): string[] {
  if (r.options.rounds < 2 || (!r.runs.some((x) => x.cpu) && !r.writes?.runs.some((w) => w.cpu))) return [];
  const rounds = (runs: LoadResult[]) => (runs.some((x) => x.cpu) ? runs.map((x) => fmt(x.cpu?.serverMs, 2)).join(' / ') : '-');
  const runsOf = (scenario: Scenario, c: number, target: Target) =>
    r.runs.filter((x) => x.scenario === scenario && x.connections === c && x.target === target).sort((a, b) => a.round - b.round);
  return [
    "The server's share, round by round (each server ran its rounds in one process, started once):",
    '',
    ...rowsPerServer(
      r,
      (scenario, c, target) => rounds(runsOf(scenario, c, target)),
      r.writes?.runs.some((w) => w.cpu) ? [rounds(r.writes.runs), rounds(r.writes.floor?.runs ?? [])] : undefined,
    ),
    '',
  ];
}

/** A table in milliseconds with a row per read scenario and connection count, a cell per server, and Q4's row (registry, floor) when given. */
function rowsPerServer(r: BenchResults, cellOf: (scenario: Scenario, connections: number, target: Target) => string, writes?: [string, string]): string[] {
  const rows = ['| Scenario | Conns | Registry ms | PostGraphile ms | Floor ms |', '|---|---:|---:|---:|---:|'];
  for (const scenario of ['q1', 'q3', 'q2'] as Scenario[]) {
    for (const c of r.options.connections) {
      const cells = (['registry', 'postgraphile', 'floor'] as Target[]).map((t) => cellOf(scenario, c, t));
      if (cells.some((cell) => cell !== '-')) rows.push(`| ${SCENARIO_TITLES[scenario]} | ${c} | ${cells.join(' | ')} |`);
    }
  }
  if (writes && r.writes) rows.push(`| ${SCENARIO_TITLES.q4} | ${r.writes.connections} | ${writes[0]} | - | ${writes[1]} |`);
  return rows;
}

function checkTargets(r: BenchResults, summary: Summary[]): TargetCheck[] {
  const get = (scenario: Scenario, c: number, target: Target) => summary.find((s) => s.scenario === scenario && s.connections === c && s.target === target);
  const checks: TargetCheck[] = [];
  for (const c of r.options.connections) {
    const [reg, pg, floor] = (['registry', 'postgraphile', 'floor'] as Target[]).map((t) => get('q1', c, t));
    if (reg && pg) checks.push({ target: `Q1 >= 1.5x PostGraphile rps (c${c})`, measured: `${fmt(ratio(reg.rps, pg.rps), 2)}x`, met: reg.rps >= 1.5 * pg.rps });
    if (reg && floor) checks.push({ target: `Q1 >= 60% of the floor rps (c${c})`, measured: `${fmt(100 * ratio(reg.rps, floor.rps))}%`, met: reg.rps >= 0.6 * floor.rps });
    const [reg2, pg2] = (['registry', 'postgraphile'] as Target[]).map((t) => get('q2', c, t));
    if (reg2 && pg2) checks.push({ target: `Q2 >= PostGraphile rps (c${c})`, measured: `${fmt(ratio(reg2.rps, pg2.rps), 2)}x`, met: reg2.rps >= pg2.rps });
    const deep = get('q3', c, 'registry');
    if (reg && deep) checks.push({ target: `Q3 deep page p50 <= 1.2x first page (c${c})`, measured: `${fmt(ratio(deep.p50, reg.p50), 2)}x (${deep.p50} vs ${reg.p50} ms)`, met: deep.p50 <= 1.2 * reg.p50 });
  }
  const first = r.latency.find((l) => l.scenario === 'q1' && l.target === 'registry');
  const deep = r.latency.find((l) => l.scenario === 'q3' && l.target === 'registry');
  if (first && deep) {
    checks.push({ target: 'Q3 deep page p50 <= 1.2x first page (one request at a time)', measured: `${fmt(ratio(deep.latencyMs.p50, first.latencyMs.p50), 2)}x (${deep.latencyMs.p50} vs ${first.latencyMs.p50} ms)`, met: deep.latencyMs.p50 <= 1.2 * first.latencyMs.p50 });
  }
  const small = r.curve.find((p) => p.models === 1_000);
  const big = r.curve.find((p) => p.models === 1_000_000) ?? r.curve.at(-1);
  if (small && big && big !== small) {
    const m = ratio(big.deepPage.latencyMs.p50, small.deepPage.latencyMs.p50);
    checks.push({
      target: `Curve: page p50 at ${big.models.toLocaleString('en')} <= 1.3x at 1,000 models${big.models < 1_000_000 ? ' (1M not measured: --curve-max 1000000)' : ''}`,
      measured: `${fmt(m, 2)}x (deep page ${big.deepPage.latencyMs.p50} vs ${small.deepPage.latencyMs.p50} ms; first page ${fmt(ratio(big.firstPage.latencyMs.p50, small.firstPage.latencyMs.p50), 2)}x)`,
      met: big.models === 1_000_000 ? m <= 1.3 : null,
    });
  }
  if (r.statements) {
    const q1 = r.statements.q1.map((s) => s.statements);
    const q2 = r.statements.q2.map((s) => s.statements);
    checks.push({ target: 'Q1 <= 4 SQL statements, whatever the page sizes', measured: q1.join(', '), met: Math.max(...q1) <= 4 && new Set(q1.filter((_, i) => r.statements!.q1[i].first > 1)).size <= 1 });
    checks.push({ target: 'Q2 a fixed number of SQL statements', measured: q2.join(', '), met: new Set(q2).size === 1 });
  }
  if (r.writes) {
    checks.push({ target: 'Q4 no errors', measured: String(r.writes.errors), met: r.writes.errors === 0 });
    checks.push({ target: 'Q4 invariants hold after the run', measured: r.writes.invariants.ok ? 'hold' : JSON.stringify(r.writes.invariants), met: r.writes.invariants.ok });
    checks.push({ target: 'Q4 p99 < 100 ms at 50 connections', measured: `${r.writes.p99} ms`, met: r.writes.p99 < 100 });
  }
  const rss = Math.max(r.peakRssMb.registry ?? 0, r.afterProbesRssMb ?? 0, ...r.curve.map((p) => p.peakRssMb));
  if (rss) checks.push({ target: 'Registry RSS < 300 MB throughout', measured: `${fmt(rss)} MB peak`, met: rss < 300 });
  if (r.fanout) {
    checks.push({ target: 'Fan-out: p99 to the last of 1,000 subscribers < 250 ms', measured: `${r.fanout.lastReceiptMs.p99} ms`, met: r.fanout.lastReceiptMs.p99 < 250 });
    checks.push({ target: 'Fan-out: < 50 KB per idle subscriber', measured: `${(r.fanout.bytesPerSubscriber / 1024).toFixed(1)} KB`, met: r.fanout.bytesPerSubscriber < 50 * 1024 });
  }
  return checks;
}

function table(r: BenchResults, summary: Summary[]): string[] {
  const rows = ['| Scenario | Conns | Registry rps | PostGraphile rps | Floor rps | Registry / PostGraphile | Registry / floor | p50 ms (reg / pgl / floor) | p99 ms (reg / pgl / floor) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const scenario of ['q1', 'q3', 'q2'] as Scenario[]) {
    for (const c of r.options.connections) {
      const [reg, pg, floor] = (['registry', 'postgraphile', 'floor'] as Target[]).map((t) => summary.find((s) => s.scenario === scenario && s.connections === c && s.target === t));
      if (!reg && !pg && !floor) continue;
      rows.push(
        `| ${SCENARIO_TITLES[scenario]} | ${c} | ${fmt(reg?.rps)} | ${fmt(pg?.rps)} | ${fmt(floor?.rps)} | ${fmt(ratio(reg?.rps, pg?.rps), 2)}x | ${fmt(100 * ratio(reg?.rps, floor?.rps))}% | ${fmt(reg?.p50)} / ${fmt(pg?.p50)} / ${fmt(floor?.p50)} | ${fmt(reg?.p99)} / ${fmt(pg?.p99)} / ${fmt(floor?.p99)} |`,
      );
    }
  }
  if (r.writes) {
    const w = r.writes;
    const f = w.floor;
    rows.push(`| ${SCENARIO_TITLES.q4} | 50 | ${fmt(w.rps)} | - | ${fmt(f?.rps)} | - | ${fmt(100 * ratio(w.rps, f?.rps))}% | ${fmt(w.p50)} / - / ${fmt(f?.p50)} | ${fmt(w.p99)} / - / ${fmt(f?.p99)} |`);
  }
  return rows;
}

function markdown(r: BenchResults, summary: Summary[], checks: TargetCheck[]): string {
  const o = r.options;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${r.startedAt} to ${r.finishedAt}. Written by \`npm run bench${r.argv.length ? ` -- ${r.argv.join(' ')}` : ''}\`; the raw figures are in \`results.json\`.`,
    '',
    '## Setup',
    '',
    `- Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB memory; PostgreSQL ${r.versions.postgresql} on the same machine (not pinned).`,
    `- **Pinning: each server under test ran on core 0 (\`taskset -c 0\`), autocannon on core 1 (\`taskset -c 1\`, one worker)**, so the load generator did not take the server's CPU. PostgreSQL's backends float over both cores.`,
    `- Data: ${o.models.toLocaleString('en')} registered models x 10 versions (${(o.models * 10).toLocaleString('en')} versions), 2 tags per model and per version, 2 metrics per version, aliases, a spread of stages (${r.seed.databaseMb} MB database; seed ${r.seed.reused ? 'reused' : `took ${r.seed.seconds.toFixed(0)} s`}).`,
    `- Runs: ${o.jitWarmup ? `each server first warmed for ${o.jitWarmup} s per read scenario (its JIT settles${r.writes ? `; the registry${r.writes.floor ? ' and the floor' : ''} as long on Q4, before its rounds` : ''}), then ` : ''}${o.duration} s per scenario after ${o.warmup} s of warm-up, at ${o.connections.join(' and ')} connections, ${o.rounds} round(s) with the servers interleaved (A/B/C, a different one first each round); medians across rounds.`,
    `- Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `- Servers: registry \`NODE_ENV=production EXPOSE_SQL_STATEMENTS=true taskset -c 0 ${r.registryCommand ?? 'node dist/server/main.js'}\` (\`npm run start:dist\` on the \`npm run build\` output; Node ${r.versions.node}); PostGraphile v5 amber preset \`taskset -c 0 <node@22>/bin/node --import tsx bench/peers/postgraphile.ts\` (${r.versions.nodeForPostgraphile}); floor \`taskset -c 0 node --import tsx bench/peers/floor.ts\` (reads: one hand-written SQL statement per request building the JSON in PostgreSQL; writes: the registry's own statements and round trips, hand-sent; postgres.js, bare node:http). Each with a pool of 10 PostgreSQL connections.`,
    `- PostgreSQL's autovacuum: ${r.versions.postgresqlAutovacuum ?? '?'}. Q4's tables are vacuumed before each of its rounds, as autovacuum would between them, so a round does not inherit the last one's dead rows.`,
    `- Q2 asks for a different model on each request (the same pseudo-random sequence for each server). Q3 starts after the model at 99% depth (${Math.round(o.models * 0.99).toLocaleString('en')}).`,
    `- The servers ${r.agreement?.sameFirstPage ? 'returned the same first page (names, versions, stages, tag counts)' : 'DISAGREED on the first page'}.`,
    `- Load average during the run (1 min, sampled every 5 s): ${r.loadAverage.length ? `min ${fmt(Math.min(...r.loadAverage.map((l) => l[0])), 2)}, max ${fmt(Math.max(...r.loadAverage.map((l) => l[0])), 2)}` : '-'}; anything above ~2 means other work shared the machine.`,
    ...stealLine(r),
    '',
    '## Throughput and latency (medians)',
    '',
    ...table(r, summary),
    '',
    ...cpuTable(r, summary),
  ];
  if (r.latency.length) {
    const how = r.latencyPairedSeconds
      ? `Per server, one round for both pages: the one with the median ratio of the deep page's p50 to the first page's. In each round the two pages took turns request by request in one run of ${r.latencyPairedSeconds} s per server, so both met the same moments of the host.`
      : 'Per server and page, the round with the median p50.';
    lines.push('## One request at a time', '', how, '', '| Scenario | Target | p50 ms | p99 ms | p50 by round ms |', '|---|---|---:|---:|---:|');
    for (const l of r.latency) lines.push(`| ${SCENARIO_TITLES[l.scenario]} | ${l.target} | ${l.latencyMs.p50} | ${l.latencyMs.p99} | ${l.p50ByRound?.join(' / ') ?? '-'} |`);
    lines.push('');
  }
  if (r.statements) {
    lines.push('## SQL statements per request (registry, `extensions.sqlStatements`)', '');
    lines.push(`- Q1 by (models per page, versions per model): ${r.statements.q1.map((s) => `${s.first}x${s.versions}: ${s.statements}`).join(', ')}`);
    lines.push(`- Q2 by model: ${r.statements.q2.map((s) => `${s.name}: ${s.statements}`).join(', ')}`, '');
  }
  if (r.writes) {
    lines.push('## Writes (Q4)', '', `Alternating \`transitionModelVersionStage(stage: PRODUCTION, archiveExistingVersions: true)\` on a random version of a random model and \`createModelVersion\` on a random model, 50 connections: ${fmt(r.writes.rps)} rps, p50 ${r.writes.p50} ms, p99 ${r.writes.p99} ms, ${r.writes.errors} errors.`, '');
    const f = r.writes.floor;
    if (f) lines.push(`The floor's same writes, hand-sent through postgres.js (the registry's own statements and round trips, no GraphQL), in rounds interleaved with the registry's: ${fmt(f.rps)} rps, p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.errors} errors. The registry ran ${fmt(100 * ratio(r.writes.rps, f.rps))}% of the floor's writes a second (round by round: ${r.writes.runs.map((w, i) => `${fmt(100 * ratio(w.rps, f.runs[i]?.rps))}%`).join(', ')}).`, '');
    lines.push(`Invariants afterwards (SQL): ${Object.entries(r.writes.invariants).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }
  if (r.curve.length) {
    lines.push(
      '## Page latency as the registry grows (registry, Q1 shape, one request at a time)',
      '',
      `Each size is its own database (registry_bench_1k, ...; the main one for ${o.models.toLocaleString('en')}); the deep page starts after the model at 99% depth, leaving a full page. ${o.rounds} rounds over every size, each with a fresh server (small to large, then large to small); per size the median round's p50.${r.curveCommand ? ` Measured separately with \`${r.curveCommand}\`.` : ''}`,
      '',
      '| Models | Seed s | First page p50 ms | Deep page (99%) p50 ms | rps at 10 connections | Peak RSS MB |',
      '|---:|---:|---:|---:|---:|---:|',
    );
    for (const p of r.curve) lines.push(`| ${p.models.toLocaleString('en')} | ${p.seed.reused ? 'reused' : fmt(p.seed.seconds)} | ${p.firstPage.latencyMs.p50} | ${p.deepPage.latencyMs.p50} | ${fmt(p.loaded.rps)} | ${fmt(p.peakRssMb)} |`);
    lines.push('');
  }
  if (r.fanout) {
    const f = r.fanout;
    lines.push(
      '## Fan-out (stage-change events)',
      '',
      `${f.subscribers.toLocaleString('en')} subscribers (${f.sse} SSE, ${f.ws} WebSocket) on one registry process pinned to core 0, the subscribers in one process pinned to core 1; ${f.rounds} archiving transitions one at a time; time from the mutation's response to each subscriber's receipt (0 when the event arrived first: the response waits for the transition records it reads after commit). Memory is the server's RSS after a full GC, idle subscribers open (\`bench/server-with-gc.ts\`).`,
      '',
      '| Measure | Result | Target |',
      '|---|---:|---:|',
      `| last subscriber's receipt, p50 | ${f.lastReceiptMs.p50} ms | |`,
      `| last subscriber's receipt, p99 | ${f.lastReceiptMs.p99} ms | < 250 ms |`,
      `| any receipt, p50 / p99 | ${f.allReceiptsMs.p50} / ${f.allReceiptsMs.p99} ms | |`,
      `| events delivered | ${f.delivered.toLocaleString('en')} of ${f.expected.toLocaleString('en')} | all |`,
      `| server memory per idle subscriber (RSS) | ${(f.bytesPerSubscriber / 1024).toFixed(1)} KB (JS heap ${(f.heapBytesPerSubscriber / 1024).toFixed(1)} KB) | < 50 KB |`,
      '',
    );
  }
  lines.push(
    '## Memory',
    '',
    `Peak RSS during the load runs (VmRSS sampled every 250 ms): ${Object.entries(r.peakRssMb).map(([k, v]) => `${k} ${v} MB`).join(', ')}. ` +
      `After start-up: ${Object.entries(r.idleRssMb).map(([k, v]) => `${k} ${v} MB`).join(', ')}. ` +
      `Registry after the statement-count probes (up to a 1,000 x 10 page): ${r.afterProbesRssMb ?? '-'} MB.`,
    '',
  );
  if (r.registryRssByPhase) {
    lines.push('The registry\'s peak RSS in each phase, in the order they ran:', '', '| Phase | Peak RSS MB |', '|---|---|');
    for (const [phase, mb] of Object.entries(r.registryRssByPhase)) lines.push(`| ${phase} | ${mb} |`);
    lines.push('');
  }
  lines.push('## Targets', '', '| Target | Measured | Met |', '|---|---|---|');
  for (const c of checks) lines.push(`| ${c.target} | ${c.measured} | ${c.met == null ? 'not measured' : c.met ? 'yes' : '**no**'} |`);
  lines.push('');
  return lines.join('\n');
}

export function writeReport(r: BenchResults): void {
  const summary = summarize(r);
  const checks = checkTargets(r, summary);
  r.summary = summary;
  r.targets = checks;
  writeFileSync(path.join(root, 'bench/results.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(path.join(root, 'bench/RESULTS.md'), markdown(r, summary, checks));
  console.log(['', ...table(r, summary), '', ...checks.map((c) => `${c.met == null ? '?' : c.met ? 'ok ' : 'NO '} ${c.target}: ${c.measured}`)].join('\n'));
  console.log('\nwrote bench/results.json and bench/RESULTS.md');
}

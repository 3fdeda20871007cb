// Starting and stopping the servers under test (pinned to core 0), the load generator (pinned to
// core 1), and sampling each server's resident memory and CPU time from /proc.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load.js';
import type { Target } from './scenarios.js';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

/** Compiles the registry to dist/ (`npm run build`): measured as deployed, with no TypeScript loader in the process. */
export function buildRegistry(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

/** The Node 22 binary of the `node@22` npm package (fetched once into npx's cache). */
export function node22(): string {
  return execFileSync('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath'], { cwd: root, encoding: 'utf8' }).trim();
}

export interface Server {
  target: Target;
  url: string;
  child: ChildProcess;
  /** The highest VmRSS seen, in MB. */
  peakRssMb: number;
  /** What the server was doing (a scenario, or start-up), so a peak can be traced to it. */
  phase: string;
  /** The highest VmRSS seen in each phase, in MB, in the order the phases came. */
  rssByPhase: Record<string, number>;
  log: string[];
}

const PORTS: Record<Target, number> = { registry: 4100, postgraphile: 4101, floor: 4102 };

/** `npm run start:dist`'s script: how a deployment starts the production build (buildRegistry). */
export function startDistScript(): string {
  return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts['start:dist'];
}

/** That script run by this Node. It is split on spaces: it must stay a plain `node <flags> <file>` line. */
function registryCommand(): string[] {
  const script = startDistScript();
  const [node, ...args] = script.split(/\s+/);
  if (node !== 'node') throw new Error(`start:dist does not start with node: ${script}`);
  return [process.execPath, ...args];
}

function command(target: Target, nodeForPeer: string): string[] {
  switch (target) {
    case 'registry':
      return registryCommand();
    case 'postgraphile':
      return [nodeForPeer, '--import', 'tsx', 'bench/peers/postgraphile.ts'];
    case 'floor':
      return [process.execPath, '--import', 'tsx', 'bench/peers/floor.ts'];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the server answers: the registry and the floor on /health, PostGraphile on a query. */
export async function ready(target: Target, url: string): Promise<boolean> {
  try {
    const res =
      target === 'postgraphile'
        ? await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
        : await fetch(`${url}/health`);
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts one server pinned to the server core; resolves when it answers. */
export async function startServer(target: Target, databaseUrl: string, nodeForPeer: string): Promise<Server> {
  const port = PORTS[target];
  const [bin, ...args] = command(target, nodeForPeer);
  // taskset execs the command, so the child's pid is the server's own.
  const child = spawn('taskset', ['-c', SERVER_CORE, bin, ...args], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      EXPOSE_SQL_STATEMENTS: 'true',
      GRAPHIQL: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server: Server = { target, url: `http://127.0.0.1:${port}`, child, peakRssMb: 0, phase: 'start-up', rssByPhase: {}, log: [] };
  // The first 20 lines only (start-up, or why it failed). The registry logs every operation: decoding
  // and keeping all of them cost this unpinned process CPU that could land on the server's core.
  const keep = (chunk: Buffer) => {
    if (server.log.length < 20) server.log.push(...chunk.toString().split('\n').filter(Boolean).slice(0, 20 - server.log.length));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  for (let i = 0; i < 240; i++) {
    if (child.exitCode != null) break;
    if (await ready(target, server.url)) return server;
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new Error(`${target} did not start:\n${server.log.join('\n')}`);
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode != null || server.child.signalCode != null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples every server's RSS every `ms` until stopped; keeps each one's peak, overall and per phase. */
export function sampleMemory(servers: () => Server[], ms = 250): () => void {
  const timer = setInterval(() => {
    for (const s of servers()) {
      if (!s.child.pid) continue;
      const rss = rssMb(s.child.pid);
      s.peakRssMb = Math.max(s.peakRssMb, rss);
      s.rssByPhase[s.phase] = Math.round(Math.max(s.rssByPhase[s.phase] ?? 0, rss));
    }
  }, ms);
  return () => clearInterval(timer);
}

/** Runs bench/load.ts in its own process pinned to the load core; `onStarted` once it begins sending. */
export function runLoad(spec: LoadSpec, onStarted?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', LOAD_CORE, process.execPath, '--import', 'tsx', 'bench/load.ts', JSON.stringify(spec)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (onStarted && out.startsWith('started\n')) {
        onStarted();
        onStarted = undefined;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult);
    });
  });
}

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux); null when gone. */
export function cpuSecondsOf(pid: number | string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  server: number;
  /** Per PostgreSQL process id: backends come and go, so a delta is taken process by process. */
  postgres: Map<string, number>;
}

/**
 * CPU seconds used so far by the server under test and by each PostgreSQL process on this
 * machine (its backends float over both cores; the benchmark expects no other cluster busy);
 * null where /proc is missing or the server is gone.
 */
export function cpuSnapshot(serverPid: number): CpuSnapshot | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const postgres = new Map<string, number>();
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue; // exited while listed
    }
    const seconds = cpuSecondsOf(pid);
    if (seconds != null) postgres.set(pid, seconds);
  }
  const server = cpuSecondsOf(serverPid);
  return server == null ? null : { server, postgres };
}

/** The machine's CPU time so far, all cores, in clock ticks: in total and taken by the hypervisor (steal); null without /proc. */
export function hostCpuTicks(): { total: number; steal: number } | null {
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user and nice)
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/** The share of the machine's CPU time the hypervisor took between two readings, in percent. */
export function stealPercent(before: ReturnType<typeof hostCpuTicks>, after: ReturnType<typeof hostCpuTicks>): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return Math.round((1000 * (after.steal - before.steal)) / (after.total - before.total)) / 10;
}

/** Milliseconds of CPU per request between two snapshots, for the server and for PostgreSQL. */
export function cpuPerRequest(before: CpuSnapshot | null, after: CpuSnapshot | null, requests: number) {
  if (!before || !after || requests <= 0) return undefined;
  const ms = (seconds: number) => Math.round((seconds * 1000 * 1000) / requests) / 1000;
  // A process started during the load counts from 0; one that ended takes its last stretch with it.
  let postgres = 0;
  for (const [pid, seconds] of after.postgres) postgres += seconds - (before.postgres.get(pid) ?? 0);
  return { serverMs: ms(after.server - before.server), postgresMs: ms(postgres) };
}

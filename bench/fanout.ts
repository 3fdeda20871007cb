// Fan-out benchmark: N concurrent subscribers (half SSE, half WebSocket) on one server, one
// transition at a time; time from the mutation's response to the last subscriber's receipt,
// and the server's memory per idle subscriber. Server and subscribers run on separate cores.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { BENCH_DATABASE_URL } from './seed.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface FanoutResult {
  subscribers: number;
  sse: number;
  ws: number;
  rounds: number;
  lastReceiptMs: { p50: number; p99: number; max: number };
  allReceiptsMs: { p50: number; p99: number };
  delivered: number;
  expected: number;
  serverRssMb: { before: number; withSubscribers: number };
  /** Resident memory added per idle subscriber. */
  bytesPerSubscriber: number;
  /** Of which live JavaScript objects, after a full GC. */
  heapBytesPerSubscriber: number;
  externalBytesPerSubscriber: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** The server's resident memory after a full garbage collection. */
const memoryReport = `/tmp/registry-bench-memory-${process.pid}.json`;
async function settledMemory(pid: number): Promise<{ rss: number; heapUsed: number; external: number }> {
  process.kill(pid, 'SIGUSR2');
  await sleep(500);
  const usage = JSON.parse(readFileSync(memoryReport, 'utf8'));
  return { rss: rssOf(pid), heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

async function freshDatabase(): Promise<string> {
  const u = new URL(BENCH_DATABASE_URL);
  const name = `${u.pathname.slice(1) || 'registry_bench'}_fanout`;
  const admin = postgres(BENCH_DATABASE_URL.replace(/\/[^/]*$/, '/postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  u.pathname = `/${name}`;
  return u.toString();
}

function startServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--expose-gc', '--import', 'tsx', 'bench/server-with-gc.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', MEMORY_REPORT: memoryReport },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

async function gql(url: string, query: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function runFanout(options: { subscribers: number; rounds: number; log?: (line: string) => void }): Promise<FanoutResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const databaseUrl = await freshDatabase();
  const { child: server, url } = await startServer(databaseUrl);
  // The "server" pid is taskset's exec'd node process.
  const serverPid = server.pid!;
  let clients: ChildProcess | null = null;
  try {
    await gql(url, `mutation { createRegisteredModel(input: { name: "fanout" }) { __typename } }`);
    for (let i = 0; i < 2; i++) await gql(url, `mutation { createModelVersion(input: { name: "fanout", source: "s3://fanout/${i}" }) { __typename } }`);
    await sleep(1000);
    const before = await settledMemory(serverPid);

    log(`fan-out: opening ${options.subscribers} subscriptions (half SSE, half WebSocket)`);
    clients = fork(path.join(root, 'bench/fanout-clients.ts'), [url, String(options.subscribers)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    spawn('taskset', ['-p', '-c', '1', String(clients.pid)], { stdio: 'ignore' });
    const ready = await new Promise<{ sse: number; ws: number }>((resolve, reject) => {
      clients!.once('message', (m: any) => (m.type === 'ready' ? resolve(m) : reject(new Error(String(m)))));
      clients!.once('exit', (code) => reject(new Error(`subscribers exited with ${code}`)));
    });
    await sleep(2000);
    const withSubscribers = await settledMemory(serverPid);

    const lastReceipt: number[] = [];
    const all: number[] = [];
    let delivered = 0;
    for (let round = 0; round < options.rounds; round++) {
      const version = (round % 2) + 1;
      const data = await gql(
        url,
        `mutation { transitionModelVersionStage(input: { name: "fanout", version: ${version}, stage: PRODUCTION, archiveExistingVersions: true }) {
          ... on TransitionModelVersionStagePayload { transitions { cursor toStage } } } }`,
      );
      const respondedAt = performance.timeOrigin + performance.now();
      const cursor = data.transitionModelVersionStage.transitions[0].cursor as string;
      await sleep(400);
      const times = await new Promise<number[]>((resolve) => {
        const onMessage = (m: any) => {
          if (m.type === 'receipts' && m.cursor === cursor) {
            clients!.off('message', onMessage);
            resolve(m.times);
          }
        };
        clients!.on('message', onMessage);
        clients!.send({ type: 'receipts', cursor });
      });
      delivered += times.length;
      const latencies = times.map((t) => Math.max(0, t - respondedAt));
      all.push(...latencies);
      lastReceipt.push(Math.max(...latencies));
    }
    return {
      subscribers: options.subscribers,
      sse: ready.sse,
      ws: ready.ws,
      rounds: options.rounds,
      lastReceiptMs: { p50: round1(percentile(lastReceipt, 50)), p99: round1(percentile(lastReceipt, 99)), max: round1(Math.max(...lastReceipt)) },
      allReceiptsMs: { p50: round1(percentile(all, 50)), p99: round1(percentile(all, 99)) },
      delivered,
      expected: options.subscribers * options.rounds,
      serverRssMb: { before: round1(before.rss / 1e6), withSubscribers: round1(withSubscribers.rss / 1e6) },
      bytesPerSubscriber: Math.round((withSubscribers.rss - before.rss) / options.subscribers),
      heapBytesPerSubscriber: Math.round((withSubscribers.heapUsed - before.heapUsed) / options.subscribers),
      externalBytesPerSubscriber: Math.round((withSubscribers.external - before.external) / options.subscribers),
    };
  } finally {
    clients?.send({ type: 'exit' });
    clients?.kill();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const subscribers = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 30);
  const result = await runFanout({ subscribers, rounds });
  console.log(JSON.stringify(result, null, 2));
}

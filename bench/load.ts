// The load generator, run by run.ts in its own process pinned to the other core:
//   throughput: autocannon (one worker) for `duration` seconds at `connections` connections;
//   latency:    one request at a time for `duration` seconds, timed to the microsecond; with
//               `alternate`, its requests and the scenario's take turns (a paired comparison).
// Prints one JSON line with the result.
import http from 'node:http';
import autocannon from 'autocannon';
import { failed, type PlanContext, planFor, type Scenario, type Target } from './scenarios.js';

export interface LoadSpec {
  mode: 'throughput' | 'latency';
  url: string;
  target: Target;
  scenario: Scenario;
  connections: number;
  duration: number;
  ctx: PlanContext;
  /** Latency mode only: a second scenario whose requests alternate with this one's, reported apart. */
  alternate?: Scenario;
}

export interface LoadResult {
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Connection errors, timeouts, non-2xx answers and responses reporting an error. */
  errors: number;
  non2xx: number;
  failedBodies: number;
  /**
   * CPU per request while the load ran (set by run.ts from /proc): the server's process, and all
   * of PostgreSQL's. It tells whether a difference lies in the server or in the database.
   */
  cpu?: { serverMs: number; postgresMs: number };
  /** The alternate scenario's figures, when the spec named one. */
  alternate?: LoadResult;
}

async function throughput(spec: LoadSpec): Promise<LoadResult> {
  const plan = planFor(spec.target, spec.scenario, spec.ctx);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    workers: 0,
    timeout: 30,
    headers: { 'content-type': 'application/json' },
    verifyBody: (body) => !failed(String(body ?? "")),
    requests: [
      {
        method: plan.method,
        path: plan.path,
        body: plan.body,
        ...(plan.next ? { setupRequest: (req: autocannon.Request) => ({ ...req, ...plan.next!() }) } : {}),
      },
    ],
  });
  const l = result.latency;
  return {
    requests: result.requests.total,
    rps: result.requests.total / spec.duration,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.mean },
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    non2xx: result.non2xx,
    failedBodies: result.mismatches,
  };
}

async function latency(spec: LoadSpec): Promise<LoadResult> {
  const plans = [spec.scenario, ...(spec.alternate ? [spec.alternate] : [])].map((scenario) => planFor(spec.target, scenario, spec.ctx));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(spec.url);
  const send = (plan: (typeof plans)[number]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { path = plan.path, body = plan.body } = plan.next ? plan.next() : {};
      const req = http.request(
        { agent, host: base.hostname, port: base.port, method: plan.method, path, headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const times: number[][] = plans.map(() => []);
  const errors = plans.map(() => 0);
  const until = performance.now() + spec.duration * 1000;
  for (let i = 0; performance.now() < until; i = (i + 1) % plans.length) {
    const started = performance.now();
    const { status, body } = await send(plans[i]);
    times[i].push(performance.now() - started);
    if (status !== 200 || failed(body)) errors[i]++;
  }
  agent.destroy();
  const [main, alternate] = times.map((t, i) => summarize(t, errors[i], spec.duration));
  return alternate ? { ...main, alternate } : main;
}

function summarize(times: number[], errors: number, duration: number): LoadResult {
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: times.length,
    rps: times.length / duration,
    latencyMs: { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(times.at(-1)!), mean: round(times.reduce((a, b) => a + b, 0) / times.length) },
    errors,
    non2xx: 0,
    failedBodies: errors,
  };
}

const spec = JSON.parse(process.argv[2]) as LoadSpec;
process.stdout.write('started\n'); // for runLoad's onStarted: this process's own start-up is over
const result = spec.mode === 'latency' ? await latency(spec) : await throughput(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);

// Paired A/B of two sets of Node flags for the built registry (`npm run build` first): both
// servers run at once on core 0, this process drives them in turns from core 1 with Q1 pages (Q1
// only), a different one first in each pair, and prints requests a second, CPU per request and
// peak RSS.
//   taskset -c 1 npx tsx bench/node-flags-ab.ts --pairs 8 --seconds 6 --connections 50 \
//     --a="--max-semi-space-size=32" --b="--max-semi-space-size=32 --heap-growing-percent=150"
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { median } from './report.js';
import { REGISTRY_PAGE } from './scenarios.js';
import { BENCH_DATABASE_URL } from './seed.js';
import { cpuSecondsOf, ready, root, rssMb } from './servers.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '50' },
    a: { type: 'string', default: '' },
    b: { type: 'string', default: '' },
  },
});
const [pairs, seconds, connections] = [values.pairs, values.seconds, values.connections].map(Number);
const cpuSeconds = (pid: number) => cpuSecondsOf(pid) ?? Number.NaN;
const servers = [values.a, values.b].map((flags, i) => {
  const port = 4300 + i;
  const child = spawn('taskset', ['-c', '0', process.execPath, ...flags.split(/\s+/).filter(Boolean), 'dist/server/main.js'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: BENCH_DATABASE_URL, PORT: String(port), HOST: '127.0.0.1', GRAPHIQL: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { label: i ? 'B' : 'A', flags, port, child, peakMb: 0, rps: [] as number[], cpuMs: [] as number[] };
});
// Ready when both answer /health; a server that exits first (a port in use, no build) ends the probe.
for (const s of servers) {
  for (let tries = 0; ; tries++) {
    if (s.child.exitCode != null || tries > 100) {
      for (const t of servers) t.child.kill();
      throw new Error(`server ${s.label} did not start (run \`npm run build\` first; ports 4300-4301 must be free)`);
    }
    if (await ready('registry', `http://127.0.0.1:${s.port}`)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
const sampler = setInterval(() => servers.forEach((s) => (s.peakMb = Math.max(s.peakMb, rssMb(s.child.pid!)))), 100);

async function load(server: (typeof servers)[number], duration: number) {
  const before = cpuSeconds(server.child.pid!);
  const r = await autocannon({
    url: `http://127.0.0.1:${server.port}/graphql`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: REGISTRY_PAGE }),
  });
  if (r.errors + r.non2xx) throw new Error(`${server.label}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  return { rps: r.requests.total / duration, cpuMs: ((cpuSeconds(server.child.pid!) - before) * 1000) / r.requests.total };
}

try {
  for (const s of servers) await load(s, 8); // warm-up: V8's JIT
  for (let p = 0; p < pairs; p++) {
    for (const s of p % 2 ? [...servers].reverse() : servers) {
      const r = await load(s, seconds);
      s.rps.push(Math.round(r.rps));
      s.cpuMs.push(Math.round(r.cpuMs * 100) / 100);
    }
  }
} finally {
  clearInterval(sampler);
  for (const s of servers) s.child.kill();
}
for (const s of servers) {
  console.log(`${s.label} [${s.flags}]: rps ${s.rps.join(' ')} (median ${Math.round(median(s.rps))}); CPU ms per request ${s.cpuMs.join(' ')} (median ${median(s.cpuMs).toFixed(2)}); peak RSS ${Math.round(s.peakMb)} MB`);
}
const ratios = servers[1].rps.map((r, i) => r / servers[0].rps[i]);
console.log(`B / A requests a second, pair by pair: ${ratios.map((r) => r.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`);

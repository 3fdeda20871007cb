// The database driver alone under steady load: C callers each running a trivial statement in a
// loop on one pool of 10 (postgres.js pipelines once every connection is busy), queries a second
// per 5 s window. A driver whose bookkeeping grows with the queries it has run slows from window
// to window; unpatched postgres.js 3.4.9 did (bench/NOTES.md, 7 December 2026, 13:19 UTC).
// Usage: taskset -c 0 npx tsx bench/driver-queue.ts [seconds=35] [callers=50]
// (`npx patch-package --reverse` takes the repository's driver patches off; `npx patch-package` puts them back.)
import postgres from 'postgres';
import { BENCH_DATABASE_URL } from './seed.js';

const seconds = Number(process.argv[2] ?? 35);
const callers = Number(process.argv[3] ?? 50);
const sql = postgres(BENCH_DATABASE_URL, { max: 10, prepare: true, onnotice: () => {} });

let done = 0;
const started = Date.now();
const until = started + seconds * 1000;
let windowStart = started;
let windowDone = 0;
const windows = setInterval(() => {
  const now = Date.now();
  const rate = (done - windowDone) / ((now - windowStart) / 1000);
  console.log(`${Math.round((now - started) / 1000)} s: ${Math.round(rate).toLocaleString('en')} queries a second`);
  windowStart = now;
  windowDone = done;
}, 5000);

async function caller(): Promise<void> {
  while (Date.now() < until) {
    await sql`SELECT ${done}::int AS n`;
    done += 1;
  }
}

await Promise.all(Array.from({ length: callers }, caller));
clearInterval(windows);
await sql.end();
console.log(`${done.toLocaleString('en')} queries in ${seconds} s, ${callers} callers, a pool of 10`);

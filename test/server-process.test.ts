// `npm start` as a real process: embedded PGlite kept across restarts, /health, graceful SIGTERM,
// and a bad configuration refused with one clear line.
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { migratedDataDir, scratchDir } from './support/databases.js';

function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 30_000);
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited with ${code}:\n${output}`), { code, output }));
    });
  });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode != null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

async function post(url: string, query: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: response.status, body: await response.json() };
}

describe('the server process', () => {
  it('keeps PGlite data in DATA_DIR across restarts and finishes in-flight requests on SIGTERM', async () => {
    const dataDir = scratchDir('data-');
    const first = await start({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect((await fetch(first.url.replace('/graphql', '/health'))).status).toBe(200);
    await post(first.url, `mutation { createRegisteredModel(input: { name: "kept" }) { __typename } }`);

    // A burst of writes, then SIGTERM while they are in flight.
    const writes = Array.from({ length: 20 }, () =>
      post(first.url, `mutation { createModelVersion(input: { name: "kept", source: "s3://kept" }) { ... on CreateModelVersionPayload { modelVersion { version } } } }`).catch(
        (error: Error) => ({ status: 0, body: { error: error.message } }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGTERM');
    const results = await Promise.all(writes);
    expect(await exitOf(first.child)).toBe(0);
    const completed = results.filter((r) => r.status === 200);
    expect(completed.length).toBeGreaterThan(0);
    for (const r of completed) expect(r.body.data.createModelVersion.modelVersion.version).toBeGreaterThan(0);
    // Log lines leave in batches: every answered operation's line is on stdout once the process has exited.
    if (!first.child.stdout!.readableEnded) await new Promise((resolve) => first.child.stdout!.once('end', resolve));
    const logged = first.output().split('\n').filter((line) => line.includes('"msg":"operation"'));
    expect(logged.length).toBeGreaterThanOrEqual(1 + completed.length);

    const second = await start({ DATA_DIR: dataDir });
    const { body } = await post(second.url, `{ registeredModel(name: "kept") { versions(first: 100) { totalCount } } }`);
    // Every answered write is stored; nothing half-written.
    expect(body.data.registeredModel.versions.totalCount).toBe(completed.length);
    second.child.kill('SIGTERM');
    expect(await exitOf(second.child)).toBe(0);
  });

  it('on SIGTERM, open subscriptions are completed (a final complete message) and the process exits 0', async () => {
    const server = await start({ DATA_DIR: migratedDataDir() });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { stageChanged { version } }` }),
    });
    const reader = response.body!.getReader();
    await reader.read(); // the first keep-alive: subscribed
    server.child.kill('SIGTERM');
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('event: complete');
    expect(await exitOf(server.child)).toBe(0);
  });

  it('refuses a bad configuration value with one line naming the variable', async () => {
    const failure = await start({ PORT: 'eighty' }).then(
      () => null,
      (error: { code: number; output: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.output.trim()).toBe('configuration error: PORT must be an integer from 0 to 65535 (got "eighty")');
  });
});

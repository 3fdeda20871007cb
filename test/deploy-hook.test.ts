// The deploy-hook runner as a real process against a listening registry: each change handled
// once across a stop and restart, failing commands retried without skipping ahead.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, scratchDir } from './support/databases.js';
import { createModel, createVersion, transition } from './support/ops.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';

function startHook(url: string, dir: string, model: string, script: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(
    process.execPath,
    ['bin/registry-hook.mjs', '--url', url, '--model', model, '--stage', 'PRODUCTION', '--stage', 'STAGING', '--exec', script, '--state', path.join(dir, 'state.json'), '--backoff-ms', '200'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, output: () => output };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

async function waitFor(check: () => boolean, timeoutMs: number, what: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode != null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe.each(databaseKinds)('deploy-hook runner (%s)', (kind) => {
  let r: TestRegistry;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry(kind));
    dir = scratchDir('hook-');
  });
  afterAll(() => r.stop());

  it('handles each change exactly once when stopped mid-stream and restarted, with the event on stdin and in the environment', async () => {
    const name = 'hooked';
    await createModel(r, name);
    for (let i = 0; i < 8; i++) await createVersion(r, name, { source: `s3://models/hooked/${i + 1}` });
    const log = path.join(dir, 'handled.log');
    const script = path.join(dir, 'deploy.sh');
    // Slow enough that the stop lands while a command is running.
    writeFileSync(script, `#!/bin/sh\nread -r event\nsleep 0.3\necho "$MODEL_NAME $MODEL_VERSION $FROM_STAGE>$TO_STAGE $MODEL_SOURCE $(echo "$event" | grep -o '"cursor":"[^"]*"')" >> ${log}\n`, { mode: 0o755 });

    let hook = startHook(url, dir, name, script);
    await waitFor(() => hook.output().includes('subscribing'), 20_000, hook.output);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let v = 1; v <= 4; v++) await transition(r, { name, version: v, stage: 'STAGING' });
    await waitFor(() => lines(log).length >= 2, 20_000, hook.output);
    hook.child.kill('SIGTERM'); // mid-stream: the running command finishes and its cursor is saved
    expect(await exited(hook.child)).toBe(0);
    const beforeRestart = lines(log).length;
    expect(beforeRestart).toBeLessThan(4);

    // Changes made while the hook is down, plus a non-matching one (ARCHIVED) it must ignore.
    for (let v = 5; v <= 8; v++) await transition(r, { name, version: v, stage: 'PRODUCTION' });
    await transition(r, { name, version: 1, stage: 'ARCHIVED' });
    hook = startHook(url, dir, name, script);
    await waitFor(() => lines(log).length >= 8, 30_000, () => `${lines(log).join('\n')}\n${hook.output()}`);
    await transition(r, { name, version: 2, stage: 'PRODUCTION' });
    await waitFor(() => lines(log).length >= 9, 20_000, hook.output);
    await new Promise((resolve) => setTimeout(resolve, 500));
    hook.child.kill('SIGTERM');
    await exited(hook.child);

    const handled = lines(log);
    expect(handled.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      `${name} 1 NONE>STAGING`,
      `${name} 2 NONE>STAGING`,
      `${name} 3 NONE>STAGING`,
      `${name} 4 NONE>STAGING`,
      `${name} 5 NONE>PRODUCTION`,
      `${name} 6 NONE>PRODUCTION`,
      `${name} 7 NONE>PRODUCTION`,
      `${name} 8 NONE>PRODUCTION`,
      `${name} 2 STAGING>PRODUCTION`,
    ]);
    expect(handled[0]).toContain('s3://models/hooked/1');
    expect(new Set(handled.map((l) => l.split(' ').at(-1))).size).toBe(9); // distinct cursors: no repeats
    const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
    expect(handled.at(-1)).toContain(state.cursor);
  });

  it('after kill -9, a restart loses nothing: at most the change in flight runs again', async () => {
    const name = 'killed-hook';
    await createModel(r, name);
    for (let i = 0; i < 6; i++) await createVersion(r, name);
    const hookDir = scratchDir('hook-');
    const log = path.join(hookDir, 'handled.log');
    const script = path.join(hookDir, 'deploy.sh');
    writeFileSync(script, `#!/bin/sh\nsleep 0.2\necho "$MODEL_VERSION $EVENT_CURSOR" >> ${log}\n`, { mode: 0o755 });
    let hook = startHook(url, hookDir, name, script);
    await waitFor(() => hook.output().includes('subscribing'), 20_000, hook.output);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let v = 1; v <= 6; v++) await transition(r, { name, version: v, stage: 'STAGING' });
    await waitFor(() => lines(log).length >= 2, 20_000, hook.output);
    hook.child.kill('SIGKILL');
    await exited(hook.child);
    hook = startHook(url, hookDir, name, script);
    await waitFor(() => new Set(lines(log).map((l) => l.split(' ')[0])).size >= 6, 30_000, () => `${lines(log).join('\n')}\n${hook.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    hook.child.kill('SIGTERM');
    await exited(hook.child);
    const versions = lines(log).map((l) => Number(l.split(' ')[0]));
    // In order, every change at least once; a repeat only of the one that was running when killed.
    expect([...new Set(versions)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions.length - 6).toBeLessThanOrEqual(1);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('retries a failing command with backoff and never skips ahead', async () => {
    const name = 'flaky-hook';
    await createModel(r, name);
    for (let i = 0; i < 2; i++) await createVersion(r, name);
    const hookDir = scratchDir('hook-');
    const log = path.join(hookDir, 'handled.log');
    const failures = path.join(hookDir, 'failures');
    const script = path.join(hookDir, 'deploy.sh');
    // Version 1 fails twice before it succeeds; version 2 must wait for it.
    writeFileSync(
      script,
      `#!/bin/sh\nif [ "$MODEL_VERSION" = 1 ] && [ "$(wc -l < ${failures} 2>/dev/null || echo 0)" -lt 2 ]; then echo x >> ${failures}; exit 3; fi\necho "$MODEL_VERSION" >> ${log}\n`,
      { mode: 0o755 },
    );
    const hook = startHook(url, hookDir, name, script);
    await waitFor(() => hook.output().includes('subscribing'), 20_000, hook.output);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await transition(r, { name, version: 1, stage: 'PRODUCTION' });
    await transition(r, { name, version: 2, stage: 'PRODUCTION' });
    await waitFor(() => lines(log).length >= 2, 30_000, hook.output);
    hook.child.kill('SIGTERM');
    await exited(hook.child);
    expect(lines(log)).toEqual(['1', '2']);
    expect(lines(failures)).toHaveLength(2);
    expect(hook.output().match(/"msg":"retrying"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(hook.output()).toContain('command exited with 3');
  });
});

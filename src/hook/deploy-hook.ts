// The deploy-hook runner: runs a command once per matching stage change, remembering the last
// handled change in a state file so a restart resumes exactly where it stopped.
import { spawn } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { subscribe } from './sse-client.js';

export interface HookOptions {
  url: string;
  model: string | null;
  stages: string[] | null;
  command: string;
  stateFile: string;
  token: string | null;
  /** First retry delay; doubles up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  log: (line: Record<string, unknown>) => void;
}

export interface StageChange {
  cursor: string;
  name: string;
  version: number;
  fromStage: string;
  toStage: string;
  comment: string | null;
  actor: string | null;
  createdAt: string;
  modelVersion: { source: string; runId: string | null } | null;
}

const STAGE_CHANGED = `subscription DeployHook($name: String, $stages: [Stage!], $after: String) {
  stageChanged(name: $name, stages: $stages, after: $after) {
    cursor name version fromStage toStage comment actor createdAt
    modelVersion { source runId }
  }
}`;

async function readCursor(stateFile: string): Promise<string | null> {
  try {
    return (JSON.parse(await readFile(stateFile, 'utf8')) as { cursor?: string }).cursor ?? null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Written to a temporary file then renamed: a crash never leaves a torn state file. */
async function saveState(stateFile: string, state: { cursor: string } & Record<string, unknown>): Promise<void> {
  const tmp = `${stateFile}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ ...state, savedAt: new Date().toISOString() })}\n`);
  await rename(tmp, stateFile);
}

/** On a first start, the newest event is the starting point, stored before anything is handled. */
async function startingCursor(options: HookOptions): Promise<string> {
  const response = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query: '{ latestEventCursor }' }),
  });
  const body = (await response.json()) as { data?: { latestEventCursor: string }; errors?: { message: string }[] };
  if (!body.data) throw new Error(`cannot read the event log head: ${JSON.stringify(body.errors ?? response.status)}`);
  return body.data.latestEventCursor;
}

function runCommand(command: string, change: StageChange): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: {
        ...process.env,
        MODEL_NAME: change.name,
        MODEL_VERSION: String(change.version),
        FROM_STAGE: change.fromStage,
        TO_STAGE: change.toStage,
        MODEL_SOURCE: change.modelVersion?.source ?? '',
        EVENT_CURSOR: change.cursor,
      },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.stdin.on('error', () => {}); // a command that does not read stdin
    child.stdin.end(`${JSON.stringify(change)}\n`);
  });
}

/**
 * Runs until `signal` aborts. Each change is handled in order; the cursor is saved only after
 * the command succeeds. Any failure (command or connection) waits with backoff, then resumes
 * from the saved cursor, so a change is never skipped.
 */
export async function runDeployHook(options: HookOptions, signal: AbortSignal): Promise<void> {
  let delay = options.backoffMs;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  while (!signal.aborted) {
    try {
      let after = await readCursor(options.stateFile);
      if (after == null) {
        after = await startingCursor(options);
        await saveState(options.stateFile, { cursor: after });
      }
      options.log({ msg: 'subscribing', url: options.url, model: options.model, stages: options.stages, after });
      const stream = subscribe<{ stageChanged: StageChange }>(
        options.url,
        STAGE_CHANGED,
        { name: options.model, stages: options.stages, after },
        { headers: options.token ? { authorization: `Bearer ${options.token}` } : {}, signal },
      );
      for await (const { stageChanged: change } of stream) {
        options.log({ msg: 'handling', name: change.name, version: change.version, toStage: change.toStage, cursor: change.cursor });
        const code = await runCommand(options.command, change); // finishes even when asked to stop
        if (code !== 0) throw new Error(`command exited with ${code} for ${change.name} v${change.version}; will retry`);
        await saveState(options.stateFile, { cursor: change.cursor, name: change.name, version: change.version, toStage: change.toStage });
        options.log({ msg: 'handled', name: change.name, version: change.version, cursor: change.cursor });
        delay = options.backoffMs;
        if (signal.aborted) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      options.log({ msg: 'retrying', error: error instanceof Error ? error.message : String(error), inMs: delay });
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxBackoffMs);
    }
  }
}

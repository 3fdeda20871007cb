// `npm run hook -- --model NAME --stage PRODUCTION --exec "./deploy.sh"` (also the registry-hook bin).
import { parseArgs } from 'node:util';
import { runDeployHook } from './deploy-hook.js';

const USAGE = `usage: registry-hook --exec COMMAND [--model NAME] [--stage STAGE ...] [--url URL] [--state FILE] [--token TOKEN]
  Runs COMMAND once per matching stage change. The change is on stdin as JSON and in
  MODEL_NAME, MODEL_VERSION, FROM_STAGE, TO_STAGE, MODEL_SOURCE and EVENT_CURSOR.`;

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    stage: { type: 'string', multiple: true },
    exec: { type: 'string' },
    url: { type: 'string', default: process.env.REGISTRY_URL ?? 'http://127.0.0.1:4000/graphql' },
    state: { type: 'string' },
    token: { type: 'string', default: process.env.REGISTRY_TOKEN },
    'backoff-ms': { type: 'string', default: '1000' },
    help: { type: 'boolean' },
  },
});
if (values.help || !values.exec) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const stages = values.stage?.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()) ?? null;
const stateFile = values.state ?? `.registry-hook-${values.model ?? 'all'}-${stages?.join('+') ?? 'all'}.json`;

const controller = new AbortController();
// Finish the command in flight and save its cursor, then exit: a restart neither repeats nor skips.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => controller.abort());

await runDeployHook(
  {
    url: values.url!,
    model: values.model ?? null,
    stages,
    command: values.exec,
    stateFile,
    token: values.token ?? null,
    backoffMs: Number(values['backoff-ms']),
    maxBackoffMs: 60_000,
    log: (line) => console.log(JSON.stringify({ time: new Date().toISOString(), ...line })),
  },
  controller.signal,
);

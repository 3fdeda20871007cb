// Structured JSON logs (pino): one line per operation, and Yoga's own messages made safe. No
// variables' values, no SQL, no stack, no secret: an error is logged as its kind and code.
import { randomUUID } from 'node:crypto';
import { type DestinationStream, pino, type Logger } from 'pino';
import type { Plugin, YogaLogger } from 'graphql-yoga';
import type { RegistryContext } from '../graphql/context.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

let stdoutStream: ReturnType<typeof pino.destination> | undefined;

/**
 * The process's log stream to stdout, lines leaving in batches: one write per 4 KB or per quarter
 * second, not one write (and, on a pipe, one wake-up of its reader) per operation. pino writes
 * out what is left when the process exits; main.ts flushes it before.
 */
export function stdoutLogStream(): DestinationStream {
  return (stdoutStream ??= pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }));
}

/** Writes out the batched lines still waiting (none when nothing was batched). */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => (stdoutStream ? stdoutStream.flush(() => resolve()) : resolve()));
}

/**
 * `batched: false` writes each line on its own: several processes sharing one stdout (WORKERS > 1)
 * then cannot cut into each other's lines, as a pipe keeps a write under 4 KB whole.
 */
export function createLogger(level: LogLevel, batched = true): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, batched ? stdoutLogStream() : process.stdout);
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    const e = value as Error & { code?: string; originalError?: unknown; extensions?: { code?: string } };
    const cause = e.originalError ? ` caused by ${describe(e.originalError)}` : '';
    const code = e.code ?? e.extensions?.code;
    return `${e.constructor.name}${code ? ` (${code})` : ''}${cause}`;
  }
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').slice(0, 500);
  return typeof value;
}

/** Yoga's logger: one line per message, errors reduced to their kind and code. */
export function safeLogger(logger: Logger): YogaLogger {
  return {
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => logger.warn(args.map(describe).join(' ')),
    error: (...args: unknown[]) => logger.error(args.map(describe).join(' ')),
  };
}

/** One line per GraphQL operation: name, type, duration, status, actor, request id. */
export function useOperationLog(logger: Logger): Plugin<RegistryContext> {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const ctx = args.contextValue as RegistryContext & { request?: Request };
      const operation = args.document.definitions.find((d: { kind: string }) => d.kind === 'OperationDefinition');
      const requestId = ctx.request?.headers.get('x-request-id')?.slice(0, 100) ?? randomUUID();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          logger.info({
            msg: 'operation',
            operation: args.operationName ?? (operation && 'name' in operation ? operation.name?.value : undefined) ?? null,
            type: operation && 'operation' in operation ? operation.operation : null,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            status: result.errors?.length ? 'error' : 'ok',
            errorCodes: result.errors?.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
            actor: ctx.actor?.name ?? null,
            requestId,
          });
        },
      };
    },
  };
}

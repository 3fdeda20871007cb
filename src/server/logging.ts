// Yoga's logger, made safe: one line per message, and an error becomes its kind and codes only.
// Driver messages can quote SQL or values, and stacks belong in a debugger, not in logs.
import type { YogaLogger } from 'graphql-yoga';

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

export function safeLogger(): YogaLogger {
  const line = (level: string, args: unknown[]) => `${JSON.stringify({ time: new Date().toISOString(), level, msg: args.map(describe).join(' ') })}\n`;
  return {
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => process.stderr.write(line('warn', args)),
    error: (...args: unknown[]) => process.stderr.write(line('error', args)),
  };
}

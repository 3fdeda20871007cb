// OpenTelemetry tracing: a span per GraphQL operation (@envelop/opentelemetry) and a child span
// per SQL statement it runs, exported as OTLP/HTTP. app.ts imports this module only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, so a server without it loads none of OpenTelemetry's SDK
// and does no per-request work for it.
import { getCurrentOtelContext, setCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import { type Context, context, SpanKind, SpanStatusCode, trace, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import type { RegistryDatabase } from '../db/client.js';

export interface Tracing {
  /** Listed right after the compiled-query plugins: they replace the executor the tracer wraps. */
  plugins: Plugin[];
  /** Exports the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** The tracer SQL spans are made with; undefined once the server that set it has stopped. */
let sqlTracer: Tracer | undefined;

export async function startTracing(options: { endpoint: string; serviceName: string }, kind: RegistryDatabase['kind']): Promise<Tracing> {
  // The plugin runs execution inside `context.with`; without a context manager nothing would
  // carry the operation's span to the statements. Process-wide: a second server reuses it.
  const contextManager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(contextManager)) contextManager.enable();
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    spanProcessors: [redactingErrors(new BatchSpanProcessor(exporter))],
  });
  const tracer = provider.getTracer('model-registry');
  sqlTracer = tracer;
  await traceStatements(kind);
  return {
    // No resolver spans (their arguments are values, and they cost per field), no variables and
    // no result; the document is recorded only when it has no inline arguments (the plugin's rule).
    plugins: [useTraceParent(), useOpenTelemetry({ resolvers: false, variables: false, result: false }, provider) as Plugin],
    async shutdown() {
      if (sqlTracer === tracer) sqlTracer = undefined;
      await provider.shutdown();
    },
  };
}

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<Headers> = { get: (headers, key) => headers.get(key) ?? undefined, keys: (headers) => [...headers.keys()] };

/** An HTTP caller's W3C `traceparent` makes the operation part of the caller's trace. */
function useTraceParent(): Plugin {
  const adopt = ({ args }: { args: { contextValue: unknown } }) => {
    const graphqlContext = args.contextValue as { request?: Request };
    const headers = graphqlContext.request?.headers;
    if (headers?.has('traceparent')) setCurrentOtelContext(graphqlContext, propagator.extract(getCurrentOtelContext(graphqlContext), headers, headerGetter));
  };
  return { onExecute: adopt, onSubscribe: adopt };
}

/**
 * A failed operation's errors are recorded as an exception event holding their JSON, and a
 * message may quote a variable's value (`got invalid value "…"`): keep only the codes, as the
 * logs do. Done as the span ends, before it is queued for export.
 */
function redactingErrors(next: SpanProcessor): SpanProcessor {
  return {
    onStart: (span, parent) => next.onStart(span, parent),
    onEnd(span) {
      for (const event of span.events) {
        if (event.attributes && typeof event.attributes['exception.message'] === 'string') event.attributes['exception.message'] = errorCodes(event.attributes['exception.message']);
      }
      next.onEnd(span);
    },
    forceFlush: () => next.forceFlush(),
    shutdown: () => next.shutdown(),
  };
}

function errorCodes(json: string): string {
  try {
    const errors = JSON.parse(json) as { extensions?: { code?: unknown } }[];
    return errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')).join(', ');
  } catch {
    return 'redacted';
  }
}

type PreparedQuery = { getQuery(): { sql: string } };
type Run = (this: PreparedQuery, ...args: unknown[]) => Promise<unknown>;
const PATCHED = Symbol('traced');

/**
 * A span per SQL statement, child of the operation's span. postgres.js and PGlite have no query
 * hooks and drizzle's logger sees a statement start but not end, so the driver's prepared query
 * (every drizzle statement, the ones the statement counter counts) is wrapped where it runs:
 * its public `execute` and `all`. The SQL text carries placeholders only, never the parameters.
 */
async function traceStatements(kind: RegistryDatabase['kind']) {
  // Only the driver in use: drizzle's PGlite session loads PGlite itself.
  const { prototype } =
    kind === 'postgres' ? (await import('drizzle-orm/postgres-js/session')).PostgresJsPreparedQuery : (await import('drizzle-orm/pglite/session')).PglitePreparedQuery;
  const methods = prototype as unknown as Record<'execute' | 'all', Run & { [PATCHED]?: true }>;
  for (const name of ['execute', 'all'] as const) {
    const run = methods[name];
    if (run[PATCHED]) continue;
    methods[name] = Object.assign(function (this: PreparedQuery, ...args: unknown[]) {
      const parent = context.active();
      if (!sqlTracer || !trace.getSpan(parent)?.isRecording()) return run.apply(this, args);
      return inStatementSpan(sqlTracer, parent, this.getQuery().sql, () => run.apply(this, args));
    }, { [PATCHED]: true as const });
  }
}

async function inStatementSpan<T>(tracer: Tracer, parent: Context, sql: string, run: () => Promise<T>): Promise<T> {
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  const span = tracer.startSpan(operation, { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': sql } }, parent);
  try {
    return await run();
  } catch (error) {
    // The error's message holds the parameters (drizzle quotes them): the SQLSTATE only.
    const cause = (error as { cause?: { code?: unknown } }).cause;
    span.setStatus({ code: SpanStatusCode.ERROR });
    if (typeof cause?.code === 'string') span.setAttribute('db.response.status_code', cause.code);
    throw error;
  } finally {
    span.end();
  }
}

// Configuration from the environment, checked once at start-up against a zod schema keyed by the
// variables' own names, so every complaint names the variable the operator has to fix.
import { z } from 'zod';
import type { LogLevel } from './server/logging.js';
import { DEFAULT_LIMITS, type RequestLimits } from './server/limits.js';

export interface RegistryConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; unset means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  /** DB_PREPARED_STATEMENTS=false for poolers in transaction mode that cannot keep named statements (PgBouncer before 1.21). */
  dbPreparedStatements: boolean;
  graphiql: boolean;
  /** Adds `extensions.sqlStatements` to each response: for tests and benchmarks. */
  exposeStatementCount: boolean;
  shutdownTimeoutMs: number;
  /** Events a live subscriber may have waiting before it is ended as too slow. */
  eventBufferLimit: number;
  /** Safety-net poll of the event table, for notifications lost during a reconnect. */
  eventPollMs: number;
  /** AUTH: unset means decided at start-up (see src/auth/identity.ts). */
  auth: 'required' | 'off' | undefined;
  /** ADMIN_TOKEN: a bootstrap secret for an identity named `admin` with the ADMIN role. */
  adminToken: string | undefined;
  introspection: boolean;
  /** PERSISTED_OPERATIONS=only serves only the operations in PERSISTED_OPERATIONS_FILE. */
  persistedOperationsFile: string | undefined;
  limits: RequestLimits;
  /** MIGRATE_ON_START=false: deployments that run `npm run migrate` separately. */
  migrateOnStart: boolean;
  logLevel: LogLevel;
  /** WORKERS: server processes sharing the port (PostgreSQL only: PGlite is one process's). */
  workers: number;
  /** QUERY_COST_IN_FLIGHT: the cost of the queries running at once over HTTP, the rest wait (src/server/query-admission.ts); 0 for no limit. */
  queryCostInFlight: number;
  /** QUERY_QUEUE_LIMIT: queries that may wait for their turn; one more is refused with 503. */
  queryQueueLimit: number;
  /** METRICS_RESOLVER_TIMING: a latency histogram per resolver (costly on nested pages). */
  metricsResolverTiming: boolean;
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT); absent means no tracing at all. */
  tracing?: { endpoint: string; serviceName: string };
}

export class ConfigError extends Error {}

// One message per variable, whatever check failed: the operator needs what is allowed, not which rule.
const integer = (fallback: number, min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.string().transform(Number).pipe(z.int({ error }).min(min, { error }).max(max, { error })).default(fallback);
};

const flag = (fallback: boolean) =>
  z
    .string()
    .regex(/^(1|true|yes|on|0|false|no|off)$/i, { error: 'must be true or false' })
    .transform((raw) => /^(1|true|yes|on)$/i.test(raw))
    .default(fallback);

const oneOf = <const T extends readonly [string, ...string[]]>(allowed: T) => z.enum(allowed, { error: `must be one of ${allowed.join(', ')}` });

const env = z
  .object({
    PORT: integer(4000, 0, 65535),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' }).optional(),
    DATA_DIR: z.string().default('./data'),
    DB_POOL_SIZE: integer(10, 2, 1000),
    DB_PREPARED_STATEMENTS: flag(true),
    GRAPHIQL: flag(true),
    EXPOSE_SQL_STATEMENTS: flag(false),
    SHUTDOWN_TIMEOUT_MS: integer(10_000, 0, 600_000),
    EVENT_BUFFER_LIMIT: integer(1000, 1, 1_000_000),
    EVENT_POLL_MS: integer(2000, 50, 600_000),
    AUTH: oneOf(['required', 'off']).optional(),
    ADMIN_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    INTROSPECTION: flag(true),
    PERSISTED_OPERATIONS: oneOf(['only', 'off']).default('off'),
    PERSISTED_OPERATIONS_FILE: z.string().optional(),
    MIGRATE_ON_START: flag(true),
    WORKERS: integer(1, 1, 64),
    QUERY_COST_IN_FLIGHT: integer(4000, 0, 1_000_000_000),
    QUERY_QUEUE_LIMIT: integer(1000, 0, 1_000_000),
    METRICS_RESOLVER_TIMING: flag(false),
    LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    MAX_DEPTH: integer(DEFAULT_LIMITS.maxDepth, 1, 1000),
    MAX_ALIASES: integer(DEFAULT_LIMITS.maxAliases, 0, 10_000),
    MAX_DIRECTIVES: integer(DEFAULT_LIMITS.maxDirectives, 0, 10_000),
    MAX_TOKENS: integer(DEFAULT_LIMITS.maxTokens, 10, 1_000_000),
    MAX_ROOT_FIELDS: integer(DEFAULT_LIMITS.maxRootFields, 1, 1000),
    MAX_COST: integer(DEFAULT_LIMITS.maxCost, 1, 1_000_000_000),
    MAX_BODY_BYTES: integer(DEFAULT_LIMITS.maxBodyBytes, 1024, 100 * 1024 * 1024),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL (an OTLP/HTTP collector, such as http://localhost:4318)' }).optional(),
    OTEL_SERVICE_NAME: z.string().regex(/^[^\p{Cc}]{1,255}$/u, { error: 'must be at most 255 characters, none of them control characters' }).default('model-registry'),
  })
  .check((ctx) => {
    const { WORKERS, DATABASE_URL, PERSISTED_OPERATIONS, PERSISTED_OPERATIONS_FILE } = ctx.value;
    if (WORKERS > 1 && !DATABASE_URL) ctx.issues.push({ code: 'custom', input: WORKERS, message: 'WORKERS above 1 needs DATABASE_URL: embedded PGlite belongs to one process' });
    if (PERSISTED_OPERATIONS === 'only' && !PERSISTED_OPERATIONS_FILE) {
      ctx.issues.push({ code: 'custom', input: PERSISTED_OPERATIONS, message: 'PERSISTED_OPERATIONS=only needs PERSISTED_OPERATIONS_FILE (a JSON object of id to operation)' });
    }
  });

/** Every variable read, for the README's table (test/config.test.ts checks it lists them all). */
export const CONFIG_VARIABLES = Object.keys(env.shape);

/** Never echoed in an error: they carry passwords and tokens. */
const SECRET = new Set(['DATABASE_URL', 'ADMIN_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT']);

/** Every problem on one line: `PORT must be an integer from 0 to 65535 (got "eighty")`. */
function describe(issues: z.core.$ZodIssue[], raw: Record<string, string | undefined>): string {
  const lines = issues.map((issue) => {
    const name = issue.path[0];
    if (typeof name !== 'string') return issue.message; // a rule across variables says it all
    // JSON quoting keeps a value with a line break on the one line.
    return SECRET.has(name) ? `${name} ${issue.message}` : `${name} ${issue.message} (got ${JSON.stringify(raw[name]?.slice(0, 100))})`;
  });
  return [...new Set(lines)].join('; ');
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): RegistryConfig {
  // An empty variable means unset, as in a shell's `PORT= npm start`.
  const raw = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, environment[name] || undefined]));
  const parsed = env.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues, raw));
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dbPoolSize: e.DB_POOL_SIZE,
    dbPreparedStatements: e.DB_PREPARED_STATEMENTS,
    graphiql: e.GRAPHIQL,
    exposeStatementCount: e.EXPOSE_SQL_STATEMENTS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    eventBufferLimit: e.EVENT_BUFFER_LIMIT,
    eventPollMs: e.EVENT_POLL_MS,
    auth: e.AUTH,
    adminToken: e.ADMIN_TOKEN,
    introspection: e.INTROSPECTION,
    persistedOperationsFile: e.PERSISTED_OPERATIONS === 'only' ? e.PERSISTED_OPERATIONS_FILE : undefined,
    migrateOnStart: e.MIGRATE_ON_START,
    workers: e.WORKERS,
    queryCostInFlight: e.QUERY_COST_IN_FLIGHT,
    queryQueueLimit: e.QUERY_QUEUE_LIMIT,
    metricsResolverTiming: e.METRICS_RESOLVER_TIMING,
    logLevel: e.LOG_LEVEL,
    limits: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxDirectives: e.MAX_DIRECTIVES,
      maxTokens: e.MAX_TOKENS,
      maxRootFields: e.MAX_ROOT_FIELDS,
      maxCost: e.MAX_COST,
      maxBodyBytes: e.MAX_BODY_BYTES,
    },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME } : undefined,
  };
}

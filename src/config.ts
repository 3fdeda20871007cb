// Configuration from the environment, checked once at start-up.
import type { LogLevel } from './server/logging.js';
import { DEFAULT_LIMITS, type RequestLimits } from './server/limits.js';

export interface RegistryConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; unset means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
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
  /** METRICS_RESOLVER_TIMING: a latency histogram per resolver (costly on nested pages). */
  metricsResolverTiming: boolean;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw == null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw == null || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const raw = env[name];
  if (raw == null || raw === '') return undefined;
  if (!allowed.includes(raw as T)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
}

function adminToken(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.ADMIN_TOKEN;
  if (raw == null || raw === '') return undefined;
  // Never echo a secret: name the rule, not the value.
  if (raw.length < 32) throw new ConfigError('ADMIN_TOKEN must be at least 32 characters');
  return raw;
}

function persistedOperations(env: NodeJS.ProcessEnv): string | undefined {
  const mode = oneOf(env, 'PERSISTED_OPERATIONS', ['only', 'off'] as const);
  if (mode !== 'only') return undefined;
  if (!env.PERSISTED_OPERATIONS_FILE) throw new ConfigError('PERSISTED_OPERATIONS=only needs PERSISTED_OPERATIONS_FILE (a JSON object of id to operation)');
  return env.PERSISTED_OPERATIONS_FILE;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (Number(env.WORKERS ?? 1) > 1 && !databaseUrl) throw new ConfigError('WORKERS above 1 needs DATABASE_URL: embedded PGlite belongs to one process');
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir: env.DATA_DIR || './data',
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 10, 2, 1000),
    graphiql: flag(env, 'GRAPHIQL', true),
    exposeStatementCount: flag(env, 'EXPOSE_SQL_STATEMENTS', false),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    eventBufferLimit: integer(env, 'EVENT_BUFFER_LIMIT', 1000, 1, 1_000_000),
    eventPollMs: integer(env, 'EVENT_POLL_MS', 2000, 50, 600_000),
    auth: oneOf(env, 'AUTH', ['required', 'off'] as const),
    adminToken: adminToken(env),
    introspection: flag(env, 'INTROSPECTION', true),
    persistedOperationsFile: persistedOperations(env),
    migrateOnStart: flag(env, 'MIGRATE_ON_START', true),
    workers: integer(env, 'WORKERS', 1, 1, 64),
    metricsResolverTiming: flag(env, 'METRICS_RESOLVER_TIMING', false),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const) ?? 'info',
    limits: {
      maxDepth: integer(env, 'MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1, 1000),
      maxAliases: integer(env, 'MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 10_000),
      maxDirectives: integer(env, 'MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 10_000),
      maxTokens: integer(env, 'MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 10, 1_000_000),
      maxRootFields: integer(env, 'MAX_ROOT_FIELDS', DEFAULT_LIMITS.maxRootFields, 1, 1000),
      maxCost: integer(env, 'MAX_COST', DEFAULT_LIMITS.maxCost, 1, 1_000_000_000),
      maxBodyBytes: integer(env, 'MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1024, 100 * 1024 * 1024),
    },
  };
}

// Configuration from the environment: documented defaults, and a bad value refused with one line
// that names the variable and what it may be, never echoing a secret.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/server/limits.js';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe('configuration', () => {
  it('defaults to the values the README documents', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      dbPoolSize: 10,
      dbPreparedStatements: true,
      graphiql: true,
      exposeStatementCount: false,
      shutdownTimeoutMs: 10_000,
      eventBufferLimit: 1000,
      eventPollMs: 2000,
      auth: undefined,
      adminToken: undefined,
      introspection: true,
      persistedOperationsFile: undefined,
      migrateOnStart: true,
      workers: 1,
      queryCostInFlight: 4000,
      queryQueueLimit: 1000,
      metricsResolverTiming: false,
      logLevel: 'info',
      limits: DEFAULT_LIMITS,
      tracing: undefined,
    });
  });

  it('reads each kind of value, and takes an empty variable as unset', () => {
    const config = loadConfig({
      PORT: '0',
      GRAPHIQL: 'off',
      INTROSPECTION: 'No',
      EXPOSE_SQL_STATEMENTS: '1',
      LOG_LEVEL: 'debug',
      AUTH: 'required',
      DATABASE_URL: 'postgresql://u@db/registry',
      WORKERS: '4',
      MAX_DEPTH: '',
      PERSISTED_OPERATIONS: 'only',
      PERSISTED_OPERATIONS_FILE: 'ops.json',
    });
    expect(config).toMatchObject({ port: 0, graphiql: false, introspection: false, exposeStatementCount: true, logLevel: 'debug', auth: 'required', workers: 4 });
    expect(config.limits.maxDepth).toBe(DEFAULT_LIMITS.maxDepth);
    expect(config.persistedOperationsFile).toBe('ops.json');
    expect(loadConfig({ PERSISTED_OPERATIONS: 'off', PERSISTED_OPERATIONS_FILE: 'ops.json' }).persistedOperationsFile).toBeUndefined();
  });

  it('turns tracing on only with OTEL_EXPORTER_OTLP_ENDPOINT, named model-registry unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(loadConfig({ OTEL_SERVICE_NAME: 'registry-eu' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }).tracing).toEqual({ endpoint: 'http://localhost:4318', serviceName: 'model-registry' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318/base', OTEL_SERVICE_NAME: 'registry-eu' }).tracing).toEqual({
      endpoint: 'https://otel.example:4318/base',
      serviceName: 'registry-eu',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535 (got "eighty")'],
    [{ PORT: '65536' }, 'PORT must be an integer from 0 to 65535 (got "65536")'],
    [{ DB_POOL_SIZE: '1.5' }, 'DB_POOL_SIZE must be an integer from 2 to 1000 (got "1.5")'],
    [{ GRAPHIQL: 'maybe' }, 'GRAPHIQL must be true or false (got "maybe")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, silent (got "loud")'],
    [{ AUTH: 'sometimes' }, 'AUTH must be one of required, off (got "sometimes")'],
    [{ WORKERS: '2' }, 'WORKERS above 1 needs DATABASE_URL: embedded PGlite belongs to one process'],
    [{ PERSISTED_OPERATIONS: 'only' }, 'PERSISTED_OPERATIONS=only needs PERSISTED_OPERATIONS_FILE (a JSON object of id to operation)'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (an OTLP/HTTP collector, such as http://localhost:4318)'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (an OTLP/HTTP collector, such as http://localhost:4318)'],
    [{ OTEL_SERVICE_NAME: 'registry\nfake log line' }, 'OTEL_SERVICE_NAME must be at most 255 characters, none of them control characters (got "registry\\nfake log line")'],
    [{ MAX_BODY_BYTES: '10' }, 'MAX_BODY_BYTES must be an integer from 1024 to 104857600 (got "10")'],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(refusal(env)).toBe(message);
  });

  it('names every bad variable on the same line', () => {
    const message = refusal({ PORT: '-1', LOG_LEVEL: 'loud' });
    expect(message).toBe('PORT must be an integer from 0 to 65535 (got "-1"); LOG_LEVEL must be one of fatal, error, warn, info, debug, silent (got "loud")');
  });

  it('never echoes a secret it refuses', () => {
    const password = 'hunter2-very-secret';
    const secrets: Record<string, string>[] = [{ DATABASE_URL: `mysql://admin:${password}@db/x` }, { ADMIN_TOKEN: password }, { OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://u:${password}@collector` }];
    for (const env of secrets) {
      const message = refusal(env);
      expect(message).toMatch(new RegExp(`^${Object.keys(env)[0]} must`));
      expect(message).not.toContain(password);
    }
  });

  it('lists every variable in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = CONFIG_VARIABLES.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

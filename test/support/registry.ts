// A black-box kit: a registry server on a real database, driven through its public GraphQL API.
// Failures print the operation and the whole response.
import type { RegistryConfig } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { buildApp, type RegistryApp } from '../../src/server/app.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
  extensions?: Record<string, unknown>;
}

export function testConfig(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    dataDir: '',
    dbPoolSize: 20,
    dbPreparedStatements: true,
    graphiql: true,
    exposeStatementCount: true,
    shutdownTimeoutMs: 2000,
    eventBufferLimit: 1000,
    eventPollMs: 2000,
    auth: undefined,
    adminToken: undefined,
    introspection: true,
    persistedOperationsFile: undefined,
    limits: DEFAULT_LIMITS,
    migrateOnStart: true,
    workers: 1,
    queryCostInFlight: 4000,
    queryQueueLimit: 1000,
    metricsResolverTiming: false,
    logLevel: (process.env.LOG_LEVEL as RegistryConfig['logLevel']) ?? 'silent',
    ...overrides,
  };
}

export class TestRegistry {
  constructor(
    readonly app: RegistryApp,
    readonly db: TestDatabase,
  ) {}

  /** POSTs an operation in-process (no port), returning status and body. */
  async request<T = any>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
    const response = await this.app.yoga.fetch('http://registry/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: GraphQLResponse<T>;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response ${response.status} to\n${query}\n---\n${text}`);
    }
    return { ...body, status: response.status };
  }

  /** Runs an operation that must succeed without GraphQL errors; returns its data. */
  async gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length || !result.data) {
      throw new Error(
        `GraphQL errors for\n${query}\nvariables: ${JSON.stringify(variables)}\n---\n${JSON.stringify(result, null, 2)}`,
      );
    }
    return result.data;
  }

  /** Runs an operation that must fail with GraphQL errors; returns them. */
  async gqlErrors(query: string, variables?: Record<string, unknown>) {
    const result = await this.request(query, variables);
    if (!result.errors?.length) {
      throw new Error(`expected GraphQL errors for\n${query}\n---\n${JSON.stringify(result, null, 2)}`);
    }
    return result;
  }

  async stop() {
    await this.app.stop();
    await this.db.drop();
  }
}

export async function startRegistry(kind: DatabaseKind, overrides: Partial<RegistryConfig> = {}): Promise<TestRegistry> {
  const db = await createTestDatabase(kind);
  const app = await buildApp(testConfig(overrides), db.database);
  return new TestRegistry(app, db);
}

/** Starts the registry listening on a free local port (for WebSocket and browser tests). */
export async function startListeningRegistry(kind: DatabaseKind, overrides: Partial<RegistryConfig> = {}) {
  const registry = await startRegistry(kind, overrides);
  const port = await registry.app.start();
  return { registry, port, url: `http://127.0.0.1:${port}/graphql` };
}

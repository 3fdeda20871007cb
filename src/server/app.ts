// Builds the HTTP server: GraphQL over HTTP and SSE (Yoga) and over WebSocket (graphql-ws), one path.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { type ExecutionArgs, getOperationAST, GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type AuthSettings, decideAuthMode, identify } from '../auth/identity.js';
import { type Identity, Permissions } from '../auth/permissions.js';
import type { RegistryConfig } from '../config.js';
import { openDatabase, type RegistryDatabase } from '../db/client.js';
import { EventHub } from '../events/event-hub.js';
import { createContext, type RegistryContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import { EXAMPLE_OPERATIONS } from './graphiql-examples.js';
import { useRequestLimits } from './limits.js';
import { createLogger, safeLogger, useOperationLog } from './logging.js';
import { createMetrics, type RegistryMetrics } from './metrics.js';
import { createQueryAdmission } from './query-admission.js';
import { useReadiness } from './readiness.js';

const readAllowList = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;

/** PERSISTED_OPERATIONS=only: the allow-list file maps an id to an operation; nothing else runs. */
function allowList(file: string) {
  const operations = readAllowList(file);
  return {
    allowArbitraryOperations: false,
    getPersistedOperation: (id: string) => operations[id] ?? null,
    customErrors: {
      persistedQueryOnly: {
        message: 'Only persisted operations are served here (PERSISTED_OPERATIONS=only): send extensions.persistedQuery.sha256Hash',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      notFound: { message: 'Unknown persisted operation', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } } },
    },
  };
}

/** How stale a long-lived subscription's view of per-model grants may get. */
const GRANTS_MAX_AGE_MS = 5000;

interface EnvelopedRoot {
  execute: typeof import('graphql').execute;
  subscribe: typeof import('graphql').subscribe;
}

/** Counts each operation's SQL statements; optionally reports them in `extensions.sqlStatements`. */
function useStatementCount(expose: boolean, metrics: RegistryMetrics): Plugin {
  return {
    onExecute({ args }) {
      const store = (args.contextValue as unknown as RegistryContext).statements;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          metrics.observeStatements(store.statements);
          for (const error of result.errors ?? []) metrics.countError(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          if (!expose) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: store.statements } });
        },
      };
    },
  };
}

/**
 * graphql-jit compiles each query once (Yoga caches parsed documents) into plain functions: a
 * nested page runs about twice as fast as under graphql-js. Queries only: subscriptions and
 * mutations keep graphql-js. A request whose variables do not fit gets errors and no data, as
 * from graphql-js, and the same 400 status graphql-js's executor gives it.
 */
function useCompiledQueries(): Plugin[] {
  const isQuery = (args: ExecutionArgs) => getOperationAST(args.document, args.operationName)?.operation === 'query';
  return [
    useGraphQlJit({}, { enableIf: isQuery }) as Plugin,
    {
      onExecute: ({ args }) =>
        isQuery(args)
          ? {
              onExecuteDone({ result, setResult }) {
                if (Symbol.asyncIterator in result || 'data' in result || !result.errors) return;
                const errors = result.errors.map(
                  ({ message, nodes, source, positions, path, originalError, extensions }) =>
                    new GraphQLError(message, { nodes, source, positions, path, originalError, extensions: { ...extensions, http: { status: 400 } } }),
                );
                setResult({ ...result, errors });
              },
            }
          : undefined,
    },
  ];
}

/** Yoga answers an unsupported Content-Type with an empty 415; say what to send instead. */
function useContentTypeMessage(): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (response.status !== 415 || response.body) return;
      const type = (request.headers.get('content-type') ?? 'none').slice(0, 100);
      const message = `Unsupported Content-Type '${type}': send GraphQL requests as application/json`;
      setResponse(fetchAPI.Response.json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }, { status: 415 }));
    },
  };
}

export interface RegistryApp {
  server: Server;
  database: RegistryDatabase;
  events: EventHub;
  authMode: AuthSettings['mode'];
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, RegistryContext>>;
  /** Listens; resolves with the port actually bound (PORT=0 picks a free one). */
  start(): Promise<number>;
  /** Stops accepting, finishes in-flight requests, ends subscriptions and sockets, closes the database it opened. */
  stop(): Promise<void>;
}

export async function buildApp(config: RegistryConfig, database?: RegistryDatabase): Promise<RegistryApp> {
  const db =
    database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, preparedStatements: config.dbPreparedStatements, migrate: config.migrateOnStart }));
  const events = new EventHub(db, { bufferLimit: config.eventBufferLimit, pollIntervalMs: config.eventPollMs });
  await events.start();
  const services = { database: db, events };
  const auth: AuthSettings = {
    mode: await decideAuthMode(db.db, { auth: config.auth, host: config.host, adminToken: config.adminToken }),
    adminToken: config.adminToken,
  };
  // HTTP and SSE carry `Authorization: Bearer`; WebSocket carries it in connection_init's payload.
  const identifyConnection = (params: Record<string, unknown> | undefined) => identify(db.db, auth, params?.authorization ?? params?.Authorization);
  // A WebSocket's identity is settled once, in onConnect, and kept on the connection.
  const contextFor = async (initial: { request?: Request; extra?: { identity?: Identity } }) => {
    const identity = initial.extra?.identity ?? (await identify(db.db, auth, initial.request?.headers.get('authorization')));
    return createContext(services, (requestDb) => new Permissions(requestDb, identity, GRANTS_MAX_AGE_MS), initial.request ? 'http' : 'ws');
  };

  // Imported only when configured: without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry code loads.
  const tracing = config.tracing ? await (await import('./tracing.js')).startTracing(config.tracing, db.kind) : undefined;
  const logger = createLogger(config.logLevel, config.workers <= 1);
  const wsServerRef: { current?: WebSocketServer } = {};
  const admission = createQueryAdmission({
    schema,
    costInFlight: config.queryCostInFlight,
    queueLimit: config.queryQueueLimit,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxTokens: config.limits.maxTokens,
  });
  const metrics = createMetrics({
    events,
    admission,
    poolSize: config.databaseUrl ? config.dbPoolSize : 1,
    openSockets: () => wsServerRef.current?.clients.size ?? 0,
    resolverTiming: config.metricsResolverTiming,
  });

  const yoga = createYoga<Record<string, unknown>, RegistryContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'Model Registry', defaultQuery: EXAMPLE_OPERATIONS } : false,
    // Served from the installed package, not a CDN: GraphiQL works with no internet. Loaded on
    // first use: the bundle is about 9 MB of JavaScript a server that never shows it need not hold.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    context: (initial) => contextFor(initial as never),
    // Compiled queries first: the other plugins see the compiled executor.
    plugins: [
      ...useCompiledQueries(),
      ...(tracing?.plugins ?? []),
      ...metrics.plugins,
      admission.plugin,
      useOperationLog(logger),
      useStatementCount(config.exposeStatementCount, metrics),
      useContentTypeMessage(),
      useReadiness(db, events),
      ...useRequestLimits(config.limits),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      ...(config.persistedOperationsFile ? [usePersistedOperations(allowList(config.persistedOperationsFile))] : []),
    ],
    logging: safeLogger(logger),
    // Yoga would pipe every body through a byte-counting stream; here a POST must carry a
    // Content-Length (411 otherwise, below), the limits plugin refuses one above MAX_BODY_BYTES,
    // and Node's parser never reads past the declared length.
    maxRequestBodySize: false,
  });

  // A body without a length could not be held to MAX_BODY_BYTES before it is read: refuse it.
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.headers['content-length'] == null) {
      res.writeHead(411, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Length Required: send a Content-Length header', extensions: { code: 'LENGTH_REQUIRED' } }] }));
      return;
    }
    admission.admit(req, res, () => void yoga(req, res));
  });
  const persisted = config.persistedOperationsFile ? readAllowList(config.persistedOperationsFile) : null;

  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  wsServerRef.current = wsServer;
  // graphql-ws through Yoga's envelop: the same plugins, and its parse cache, so open
  // subscriptions share one parsed document instead of holding a copy each.
  const wsCleanup = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      // A connection without a valid token (when auth is on) is refused before any operation.
      onConnect: async (ctx) => {
        try {
          (ctx.extra as { identity?: Identity }).identity = await identifyConnection(ctx.connectionParams);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        if (persisted) {
          // The same allow-list as over HTTP: an id from it, never a query of the client's own.
          const id = (params.extensions?.persistedQuery as { sha256Hash?: string } | undefined)?.sha256Hash;
          const query = id ? persisted[id] : undefined;
          if (!query || params.query) return [new GraphQLError('Only persisted operations are served here (PERSISTED_OPERATIONS=only)', { extensions: { code: 'PERSISTED_QUERY_ONLY' } })];
          params = { ...params, query };
        }
        const { schema: enveloped, execute, subscribe, parse, validate, contextFactory } = yoga.getEnveloped({ ...ctx, params });
        const args = {
          schema: enveloped,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
    },
    wsServer,
  );

  return {
    server,
    database: db,
    events,
    authMode: auth.mode,
    yoga,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await events.stop(); // completes every open subscription, so SSE responses end
      await wsCleanup.dispose(); // closes WebSocket clients
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(force);
      await events.finishAnnouncing(); // no request can commit now: other instances hear of the last ones
      if (!database) await db.close();
      await tracing?.shutdown(); // last: exports the spans of the requests finished above
    },
  };
}

// Builds the HTTP server: GraphQL over HTTP and SSE (Yoga) and over WebSocket (graphql-ws), one path.
import { createServer, type Server } from 'node:http';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RegistryConfig } from '../config.js';
import { openDatabase, type RegistryDatabase, statementCounter } from '../db/client.js';
import { EventHub } from '../events/event-hub.js';
import { createContext, type RegistryContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import { EXAMPLE_OPERATIONS } from './graphiql-examples.js';

interface EnvelopedRoot {
  execute: typeof import('graphql').execute;
  subscribe: typeof import('graphql').subscribe;
}

/** Counts each operation's SQL statements; optionally reports them in `extensions.sqlStatements`. */
function useStatementCount(expose: boolean): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      const store = { statements: 0 };
      setExecuteFn((args) => statementCounter.run(store, () => executeFn(args)));
      return {
        onExecuteDone({ result, setResult }) {
          if (!expose || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: store.statements } });
        },
      };
    },
  };
}

export interface RegistryApp {
  server: Server;
  database: RegistryDatabase;
  events: EventHub;
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, RegistryContext>>;
  /** Listens; resolves with the port actually bound (PORT=0 picks a free one). */
  start(): Promise<number>;
  /** Stops accepting, finishes in-flight requests, ends subscriptions and sockets, closes the database it opened. */
  stop(): Promise<void>;
}

export async function buildApp(config: RegistryConfig, database?: RegistryDatabase): Promise<RegistryApp> {
  const db =
    database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }));
  const events = new EventHub(db, { bufferLimit: config.eventBufferLimit, pollIntervalMs: config.eventPollMs });
  await events.start();
  const services = { database: db, events };

  const yoga = createYoga<Record<string, unknown>, RegistryContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'Model Registry', defaultQuery: EXAMPLE_OPERATIONS } : false,
    context: () => createContext(services, { name: null }),
    plugins: [useStatementCount(config.exposeStatementCount)],
    logging: 'warn',
  });

  const server = createServer(yoga);

  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  // graphql-ws through Yoga's envelop: the same plugins, and its parse cache, so open
  // subscriptions share one parsed document instead of holding a copy each.
  const wsCleanup = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
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
      if (!database) await db.close();
    },
  };
}

// The peer: PostGraphile v5 with the amber preset over the same database, on node:http.
// PostGraphile 5 needs Node 22 or newer: run.ts starts this file under the `node@22` npm
// package (`npx -p node@22`); the registry itself stays on the machine's Node.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const port = Number(process.env.PORT ?? 4001);

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      // The same pool size as the registry's DB_POOL_SIZE default.
      poolConfig: { max: Number(process.env.DB_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { port, graphqlPath: '/graphql', graphiql: false, watch: false, dangerouslyAllowAllCORSRequests: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
server.listen(port, '127.0.0.1', () => console.log(`postgraphile ${process.version}: listening on ${port}`));

const stop = () => {
  server.close();
  void Promise.resolve(pgl.release()).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

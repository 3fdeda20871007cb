// `npm start`: serves the registry until SIGTERM or SIGINT, then shuts down gracefully.
// WORKERS=N runs N server processes on one port (node:cluster), each with its own pool; events
// reach every worker's subscribers through PostgreSQL, as across machines.
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type RegistryConfig } from '../config.js';
import { buildApp } from './app.js';
import { flushLogs } from './logging.js';

function runPrimary(config: RegistryConfig) {
  for (let i = 0; i < config.workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} exited with ${code}; starting another`);
      cluster.fork();
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      process.exit(0);
    }
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
  const app = await buildApp(config);
  const port = await app.start();
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  console.log(`model registry: GraphQL and GraphiQL at http://${config.host}:${port}/graphql (${where})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests and closing`);
    const timer = setTimeout(() => {
      console.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    timer.unref();
    await app.stop();
    await flushLogs();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(`model registry failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

// `npm start`: serves the registry until SIGTERM or SIGINT, then shuts down gracefully.
import { ConfigError, loadConfig } from '../config.js';
import { buildApp } from './app.js';

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
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(`model registry failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

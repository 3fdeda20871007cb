// `npm run migrate`: applies drizzle/ to DATABASE_URL (or PGlite in DATA_DIR) and exits, for
// deployments that migrate separately and start servers with MIGRATE_ON_START=false.
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { migrationStatus } from '../src/db/migrations.js';

try {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, migrate: true });
  const status = await migrationStatus(database.db);
  await database.close();
  console.log(`migrations applied; ${status.pending} pending`);
} catch (error) {
  console.error(`migrate failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

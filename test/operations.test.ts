// Operating the service: /health and /ready, migrating separately, refusing a database migrated
// by a newer build, and GraphiQL served with no internet.
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { buildApp, type RegistryApp } from '../src/server/app.js';
import { createTestDatabase, databaseKinds, scratchDir } from './support/databases.js';
import { startRegistry, testConfig } from './support/registry.js';

const get = async (app: RegistryApp, p: string, accept = 'application/json') => {
  const res = await app.yoga.fetch(`http://registry${p}`, { headers: { accept } });
  return { status: res.status, text: await res.text() };
};

describe.each(databaseKinds)('health and readiness (%s)', (kind) => {
  it('/health and /ready answer 200 on a migrated, listening server', async () => {
    const r = await startRegistry(kind);
    try {
      expect((await get(r.app, '/health')).status).toBe(200);
      const ready = await get(r.app, '/ready');
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text)).toEqual({ ready: true, reasons: [] });
    } finally {
      await r.stop();
    }
  });

  it('with MIGRATE_ON_START=false on an empty database, /ready is 503 until migrations run', async () => {
    const db = await createTestDatabase(kind);
    // A fresh database of the same kind, not migrated.
    const empty = kind === 'pglite' ? await openDatabase({ migrate: false }) : await openDatabase({ databaseUrl: db.url, migrate: false });
    if (kind === 'postgres') await db.database.db.execute(sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA drizzle CASCADE`);
    const app = await buildApp(testConfig({ migrateOnStart: false }), empty);
    try {
      const before = await get(app, '/ready');
      expect(before.status).toBe(503);
      expect(JSON.parse(before.text).reasons.join(' ')).toMatch(/migration\(s\) not applied: run npm run migrate/);
      await (empty as unknown as { migrate(): Promise<void> }).migrate();
      app.events.wake();
      let after = await get(app, '/ready');
      for (let i = 0; i < 40 && after.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await get(app, '/ready');
      }
      expect(after.status).toBe(200);
    } finally {
      await app.stop();
      await empty.close();
      await db.drop();
    }
  });
});

describe('migrations from another build (pglite, as npm start and npm run migrate)', () => {
  const run = (script: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, DATABASE_URL: '', PORT: '0', ...env }, encoding: 'utf8', timeout: 60_000 });

  it('npm run migrate migrates; a database migrated by a newer build is refused with a clear line', async () => {
    const dataDir = scratchDir('migrate-');
    const migrated = run('scripts/migrate.ts', { DATA_DIR: dataDir });
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toContain('migrations applied; 0 pending');
    const db = await openDatabase({ dataDir, migrate: false });
    await db.db.execute(sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', 9999999999999)`);
    await db.close();
    const refused = run('src/server/main.ts', { DATA_DIR: dataDir });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe('model registry failed to start: the database was migrated by a newer build of the registry; run that build (or newer) against it');
  });
});

describe('GraphiQL', () => {
  it('is served from the installed package with the example operations, and loads nothing from a CDN', async () => {
    const r = await startRegistry('pglite');
    try {
      const page = await get(r.app, '/graphql', 'text/html');
      expect(page.status).toBe(200);
      expect(page.text).toContain('PromoteIfAccurate');
      expect(page.text).not.toMatch(/<script[^>]+src=["']https?:|<link[^>]+href=["']https?:/);
      expect(page.text).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net/);
    } finally {
      await r.stop();
    }
  });
});

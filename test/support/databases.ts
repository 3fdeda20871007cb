// The databases the suite runs on: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is set.
// Each test file gets a fresh database of its own, so files run in parallel without colliding.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type RegistryDatabase } from '../../src/db/client.js';

export type DatabaseKind = 'pglite' | 'postgres';

export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  database: RegistryDatabase;
  /** The PostgreSQL URL of this test's own database (postgres only), for second servers. */
  url: string | undefined;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let migratedDump: Promise<Blob> | undefined;

/** A fresh, migrated database. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // Migrated once for the whole run (pglite-template.ts); the migrations still run, finding nothing to do.
    migratedDump ??= readFile(inject('pgliteDump')).then((bytes) => new Blob([bytes]));
    const database = await openDatabase({ pgliteDump: await migratedDump });
    return { database, url: undefined, drop: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `registry_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = withDatabase(adminUrl, name);
  const database = await openDatabase({ databaseUrl: url, poolSize: 20 });
  return {
    database,
    url,
    async drop() {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A new empty directory inside the run's scratch directory, which the suite removes when it ends. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(inject('scratchDir'), prefix));
}

/** A new PGlite data directory, already migrated, for a server process started with DATA_DIR. */
export function migratedDataDir(): string {
  const dir = scratchDir('data-');
  cpSync(inject('pgliteDataDir'), dir, { recursive: true });
  return dir;
}

// Which migrations a database has, against the ones this build ships in drizzle/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type Db, migrationsFolder, rowsOf } from './client.js';

export interface MigrationStatus {
  /** Migrations in drizzle/ not yet applied to the database. */
  pending: number;
  /** True when the database was migrated by a newer build: a migration this build does not know. */
  newer: boolean;
}

export class NewerDatabaseError extends Error {}

function shippedMigrations(): number[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return journal.entries.map((e) => e.when);
}

/** drizzle records each applied migration with its folder timestamp (`created_at`). */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const shipped = shippedMigrations();
  let applied: number[] = [];
  try {
    applied = rowsOf<{ created_at: string | number }>(await db.execute(sql`SELECT created_at FROM drizzle.__drizzle_migrations`)).map((r) => Number(r.created_at));
  } catch {
    return { pending: shipped.length, newer: false }; // never migrated
  }
  const latestShipped = Math.max(...shipped);
  return {
    pending: shipped.filter((when) => !applied.includes(when)).length,
    newer: applied.some((when) => when > latestShipped),
  };
}

/** Refuses to serve a database whose schema this build does not know. */
export async function assertNotNewer(db: Db): Promise<void> {
  const status = await migrationStatus(db);
  if (status.newer) {
    throw new NewerDatabaseError('the database was migrated by a newer build of the registry; run that build (or newer) against it');
  }
}

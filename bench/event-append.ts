// The commit-time event append (append_pending_events, drizzle/0006) as the migrations define it,
// and the diagnostic builds bench/q4-anatomy.ts swaps in. The as-built text comes from the
// migration, not from the database, so a run cut short can always be repaired.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { root } from './servers.js';

const QUEUE = `PERFORM pg_advisory_xact_lock(738292);\n  `;
const COUNTER_DRAW = `UPDATE registry_event_counter SET last_position = last_position + n WHERE id = 1
    RETURNING last_position - n + 1 INTO first_position;`;
const NOTIFY = `PERFORM pg_notify('registry_events', (first_position + n - 1)::text);\n  `;
const END = `RETURN NULL;`;
/** Far above any counter position, and a whole batch apart per draw. */
const SEQUENCE = 'bench_unserialized_positions';

/**
 * The function as the newest migration that defines it has it. A later migration that names it
 * some other way (altered, dropped) is refused rather than written over.
 */
function asBuilt(): string {
  const folder = path.join(root, 'drizzle');
  const files = readdirSync(folder).filter((file) => file.endsWith('.sql')).sort();
  const definer = /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:"?public"?\.)?"?append_pending_events"?\s*\([\s\S]*?\n\$\$;/i;
  let definition: string | undefined;
  let namedAfter: string | undefined;
  for (const file of files) {
    const text = readFileSync(path.join(folder, file), 'utf8');
    const found = definer.exec(text)?.[0];
    if (found) [definition, namedAfter] = [found, undefined];
    if (!found && definition && /append_pending_events/i.test(text)) namedAfter = file;
  }
  if (!definition) throw new Error('no migration defines append_pending_events');
  if (namedAfter) throw new Error(`${namedAfter} changes append_pending_events after its last definition: restore it by hand`);
  return definition.replace(/^CREATE\s+FUNCTION/i, 'CREATE OR REPLACE FUNCTION');
}

/**
 * as-built: writers queue first come, first served (an advisory lock), then draw positions from
 * the counter row; the server announces commits with NOTIFY afterwards. `row-lock-queue` queues
 * on the counter's row lock alone (drizzle/0004's way): equally correct, it differs only in who
 * goes first. `notify-at-commit` also sends NOTIFY in the commit, as drizzle/0004 and 0005 did
 * (whose lock is held until the commit ends, like the counter's). `unserialized` is a DIAGNOSTIC
 * ONLY: positions may commit out of order with it.
 */
export function eventAppendBuilds(): Record<string, string> {
  const built = asBuilt();
  if (!built.includes(QUEUE + COUNTER_DRAW) || built.includes('pg_notify') || !built.includes(END)) {
    throw new Error('append_pending_events no longer has the statements the diagnostics replace');
  }
  const rowLockQueue = (f: string) => f.replace(QUEUE, '');
  const fromSequence = (f: string) => rowLockQueue(f).replace(COUNTER_DRAW, `first_position := nextval('${SEQUENCE}');`);
  return {
    'as-built': built,
    'row-lock-queue': rowLockQueue(built),
    'notify-at-commit': built.replace(END, NOTIFY + END),
    unserialized: fromSequence(built),
  };
}

/** The bench database's name, quoted for a statement. */
async function thisDatabase(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ db: string }[]>`SELECT quote_ident(current_database()) AS db`;
  return row.db;
}

/**
 * The diagnostics' sequence, then timed WAL flushes: a setting of the bench database that servers
 * started after it pick up (superusers only; without it the anatomy's flush times read "untimed").
 */
export async function prepareDiagnostics(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`CREATE SEQUENCE IF NOT EXISTS ${SEQUENCE} START WITH 1000000000000 INCREMENT BY 100000`);
  await sql.unsafe(`ALTER DATABASE ${await thisDatabase(sql)} SET track_wal_io_timing = on`).catch(() => {});
}

/** Puts the migration's function back, stops timing WAL flushes, then drops the diagnostics' sequence (idempotent). */
export async function restoreEventAppend(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(asBuilt());
  await sql.unsafe(`ALTER DATABASE ${await thisDatabase(sql)} RESET track_wal_io_timing`).catch(() => {});
  await sql.unsafe(`DROP SEQUENCE IF EXISTS ${SEQUENCE}`);
}

/**
 * Restores the function (and untimed WAL flushes) when a diagnostic build may be in place, and says
 * whether it did: the sequence lives from before the first swap until after the restore, so only a
 * killed run leaves it.
 */
export async function repairEventAppend(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ left: boolean }[]>`SELECT to_regclass(${SEQUENCE}) IS NOT NULL AS left`;
  if (row.left) await restoreEventAppend(sql);
  return row.left;
}

export async function repairEventAppendAt(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await repairEventAppend(sql);
  } finally {
    await sql.end();
  }
}

// The commit-time event append (append_pending_events, drizzle/0004) as the migrations define it,
// and the diagnostic builds bench/q4-anatomy.ts swaps in. The as-built text comes from the
// migration, not from the database, so a run cut short can always be repaired.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { root } from './servers.js';

const COUNTER_DRAW = `UPDATE registry_event_counter SET last_position = last_position + n WHERE id = 1
    RETURNING last_position - n + 1 INTO first_position;`;
const NOTIFY = `PERFORM pg_notify('registry_events', (first_position + n - 1)::text);`;
/** Far above any counter position, and a whole batch apart per draw. */
const SEQUENCE = 'bench_unserialized_positions';

/** The function as the newest migration that defines it has it. */
function asBuilt(): string {
  const folder = path.join(root, 'drizzle');
  const definitions = readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => /CREATE (?:OR REPLACE )?FUNCTION "append_pending_events"[\s\S]*?\n\$\$;/.exec(readFileSync(path.join(folder, file), 'utf8'))?.[0])
    .filter((definition) => definition !== undefined);
  const definition = definitions.at(-1);
  if (!definition || !definition.includes(COUNTER_DRAW) || !definition.includes(NOTIFY)) {
    throw new Error('the migrations no longer define append_pending_events with the statements the diagnostics replace');
  }
  return definition.replace(/^CREATE FUNCTION/, 'CREATE OR REPLACE FUNCTION');
}

/**
 * as-built: positions from the counter row under its lock, and a NOTIFY whose commit lock is held
 * the same way. The others are DIAGNOSTICS ONLY: positions may commit out of order with them.
 */
export function eventAppendBuilds(): Record<string, string> {
  const built = asBuilt();
  const fromSequence = (f: string) => f.replace(COUNTER_DRAW, `first_position := nextval('${SEQUENCE}');`);
  const withoutNotify = (f: string) => f.replace(NOTIFY, '');
  return {
    'as-built': built,
    unserialized: withoutNotify(fromSequence(built)),
    'sequence-only': fromSequence(built),
    'no-notify-only': withoutNotify(built),
  };
}

export async function prepareDiagnostics(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`CREATE SEQUENCE IF NOT EXISTS ${SEQUENCE} START WITH 1000000000000 INCREMENT BY 100000`);
}

/** Puts the migration's function back and drops the diagnostics' sequence (idempotent). */
export async function restoreEventAppend(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(asBuilt());
  await sql.unsafe(`DROP SEQUENCE IF EXISTS ${SEQUENCE}`);
}

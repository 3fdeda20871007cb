// The floor's Q4: the registry's own write statements, hand-sent through postgres.js with the same
// round trips (BEGIN goes out with the first statement, the event append with COMMIT), and no
// GraphQL, drizzle or Yoga on a request's way (drizzle renders three texts once, at start). What the registry's writes cost above it is the server's own share;
// what the floor itself costs is the schema's and the database's.
//   POST /q4 {"op":"transition","name":...,"version":n}   to PRODUCTION, archiving the one there
//   POST /q4 {"op":"create","name":...,"source":...}       a new version with one tag
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import { VERSION_RECORD_COLUMNS } from '../../src/db/queries/model-versions.js';
import { appendEventsStatement } from '../../src/events/event-log.js';
import { allocateVersionNumber } from '../../src/registry/locks.js';

// postgres.js serializes a json parameter itself (JSON.stringify): arrays go in as they are.

// What the registry exports as builders is taken from them once, as text, so it cannot drift: the
// version columns, the version number's allocation and the event append the commit-time trigger reads.
const textOf = (statement: ReturnType<typeof sql>) => new PgDialect().sqlToQuery(statement).sql;
const VERSION = textOf(sql`${VERSION_RECORD_COLUMNS}`);
const NUMBERED = textOf(allocateVersionNumber('')); // name = $1
const APPEND = textOf(appendEventsStatement([{ type: 'VERSION_CREATED', modelId: 0, modelName: '' }], null)!); // events $1, actor $2

const LOCK = `WITH m AS (
    SELECT id, name, description, created_at AS "createdAt", updated_at AS "updatedAt" FROM registered_models WHERE name = $1 FOR UPDATE
  )
  SELECT m.*, row_to_json(v) AS version FROM m LEFT JOIN LATERAL (
    SELECT ${VERSION} FROM model_versions WHERE model_id = m.id AND version = $2 FOR UPDATE
  ) v ON true`;

// Parameters where the registry binds them (drizzle numbers each one), so that PostgreSQL plans the same statements.
const MOVE = `WITH moved AS (
    UPDATE model_versions SET stage = $1::stage, updated_at = now()
    WHERE id = $2 AND stage <> $3::stage RETURNING ${VERSION}
  ), archived AS (
    UPDATE model_versions SET stage = 'ARCHIVED', updated_at = now()
    WHERE $4 AND model_id = $5 AND stage = $6::stage AND id <> $7 RETURNING ${VERSION}
  ), touched AS ( -- runs though unread: PostgreSQL completes every data-modifying WITH
    UPDATE registered_models SET updated_at = now()
    WHERE id = $8 AND (EXISTS (SELECT 1 FROM moved) OR EXISTS (SELECT 1 FROM archived)) RETURNING id
  )
  SELECT (SELECT row_to_json(moved) FROM moved) AS moved,
    (SELECT coalesce(json_agg(archived ORDER BY archived.version DESC), '[]'::json) FROM archived) AS archived`;

const CREATE = `WITH numbered AS (${NUMBERED}), v AS (
    INSERT INTO model_versions (model_id, version, source, run_id, description)
    SELECT model_id, version, $2, $3::text, $4::text FROM numbered
    RETURNING ${VERSION}
  ), tags AS (
    INSERT INTO model_version_tags (version_id, key, value)
    SELECT v.id, t.key, t.value FROM v, json_to_recordset($5::json) AS t(key text, value text)
  ), metrics AS (
    INSERT INTO model_version_metrics (version_id, key, value)
    SELECT v.id, m.key, m.value FROM v, json_to_recordset($6::json) AS m(key text, value double precision)
  )
  SELECT numbered.name, row_to_json(v) AS version FROM numbered, v`;

interface Version {
  id: number;
  modelId: number;
  version: number;
  stage: string;
}

type Event = { type: string; model_id: number; model_name: string; version_id: number; version: number; from_stage: string | null; to_stage: string | null };

/** One transaction on a reserved connection; `work` returns the response's data and the events to append. */
async function change(sql: postgres.Sql, work: (tx: postgres.ReservedSql) => Promise<{ data: unknown; events: Event[] }>): Promise<unknown> {
  const tx = await sql.reserve();
  let commit: Promise<{ command: string }> | null = null;
  try {
    const begun = tx.unsafe('BEGIN').execute(); // goes out with the first statement
    begun.catch(() => {});
    const { data, events } = await work(tx);
    await begun;
    const append = events.length
      ? tx.unsafe(APPEND, [events.map((e, i) => ({ n: i + 1, ...e, comment: null })) as never, null], { prepare: true }).execute()
      : null;
    commit = tx.unsafe('COMMIT').execute(); // in the same write as the append
    commit.catch(() => {});
    await append;
    // A transaction an earlier statement aborted answers COMMIT with ROLLBACK.
    if ((await commit).command !== 'COMMIT') throw new Error('the transaction was rolled back');
    return data;
  } catch (error) {
    if (!commit) await tx.unsafe('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

const stageChanged = (model: { id: number; name: string }, v: Version, from: string, to: string): Event => ({
  type: 'STAGE_CHANGED',
  model_id: model.id,
  model_name: model.name,
  version_id: v.id,
  version: v.version,
  from_stage: from,
  to_stage: to,
});

function transition(sql: postgres.Sql, name: string, version: number) {
  return change(sql, async (tx) => {
    const [model] = await tx.unsafe<{ id: number; name: string; version: Version | null }[]>(LOCK, [name, version], { prepare: true });
    if (!model?.version) throw new Error(`no version ${version} of ${name}`);
    const locked = model.version;
    const [{ moved, archived }] = await tx.unsafe<{ moved: Version | null; archived: Version[] }[]>(
      MOVE,
      ['PRODUCTION', locked.id, 'PRODUCTION', true, model.id, 'PRODUCTION', locked.id, model.id],
      { prepare: true },
    );
    const events = [...(moved ? [stageChanged(model, locked, locked.stage, 'PRODUCTION')] : []), ...archived.map((v) => stageChanged(model, v, 'PRODUCTION', 'ARCHIVED'))];
    const data = { modelVersion: { version: locked.version, stage: 'PRODUCTION' }, archivedVersions: archived.map((v) => ({ version: v.version })) };
    return { data: { transitionModelVersionStage: data }, events };
  });
}

function create(sql: postgres.Sql, name: string, source: string) {
  return change(sql, async (tx) => {
    const [row] = await tx.unsafe<{ name: string; version: Version }[]>(CREATE, [name, source, null, null, [{ key: 'bench', value: 'q4' }] as never, [] as never], {
      prepare: true,
    });
    if (!row) throw new Error(`no model ${name}`);
    const v = row.version;
    const event: Event = { type: 'VERSION_CREATED', model_id: v.modelId, model_name: row.name, version_id: v.id, version: v.version, from_stage: null, to_stage: null };
    return { data: { createModelVersion: { modelVersion: { version: v.version } } }, events: [event] };
  });
}

/** Runs one Q4 request's body; resolves with the response's `data`. */
export function write(sql: postgres.Sql, body: string): Promise<unknown> {
  const input = JSON.parse(body) as { op: string; name: string; version?: number; source?: string };
  if (input.op === 'transition') return transition(sql, input.name, Number(input.version));
  if (input.op === 'create') return create(sql, input.name, String(input.source));
  throw new Error(`unknown op ${input.op}`);
}

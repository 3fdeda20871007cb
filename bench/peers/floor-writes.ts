// The floor's Q4: the registry's own write statements, hand-sent through postgres.js with the same
// round trips (BEGIN goes out with the first statement, the event append with COMMIT), and no
// GraphQL, drizzle or Yoga on a request's way. What the registry's writes cost above it is the
// server's own share; what the floor itself costs is the schema's and the database's.
//   POST /q4 {"op":"transition","name":...,"version":n}   to PRODUCTION, archiving the one there
//   POST /q4 {"op":"create","name":...,"source":...}       a new version with one tag
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import { appendEventsStatement } from '../../src/events/event-log.js';
import { allocateVersionNumber, lockModelVersionStatement } from '../../src/registry/locks.js';
import { insertVersionStatement } from '../../src/registry/model-versions.js';
import { moveToStageStatement } from '../../src/registry/stage-transitions.js';

// The registry's statement builders, rendered once at start with placeholder values: the same
// texts, with parameters numbered where the registry binds them, so PostgreSQL plans the same
// statements and the floor cannot drift from them.
const textOf = (statement: ReturnType<typeof sql>) => new PgDialect().sqlToQuery(statement).sql;
const LOCK = textOf(lockModelVersionStatement('', 0)); // name $1, version $2
const MOVE = textOf(moveToStageStatement(0, 0, 'PRODUCTION', true)); // stage $1, version id $2, stage $3, archive $4, model id $5, stage $6, version id $7, model id $8
const CREATE = textOf(insertVersionStatement(allocateVersionNumber(''), { source: '', runId: null, description: null, tags: [], metrics: [] })); // name $1, source $2, run id $3, description $4, tags $5, metrics $6
const APPEND = textOf(appendEventsStatement([{ type: 'VERSION_CREATED', modelId: 0, modelName: '' }], null)!); // events $1, actor $2

// postgres.js serializes a json parameter itself (JSON.stringify): the tags, metrics and events go in as arrays.

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

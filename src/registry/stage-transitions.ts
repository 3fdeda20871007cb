// Stage changes: transitionStage (with archiving and preconditions) and the guarded promotion.
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Db, type RegistryDatabase, rowsOf } from '../db/client.js';
import { normalizeVersionRow, VERSION_RECORD_COLUMNS } from '../db/queries/model-versions.js';
import { modelVersionMetrics, modelVersions } from '../db/schema.js';
import { InvalidInputError, PreconditionFailedError } from './errors.js';
import { lockModel, lockModelVersion, lockVersion } from './locks.js';
import { type Actor, type Change, runChange } from './transaction.js';
import { ACTIVE_STAGES, type MetricRequirement, type ModelVersionRecord, type RegisteredModelRecord, type Stage } from './types.js';
import { checkComment, checkModelName, checkRequirements, checkVersionNumber } from './validation.js';

export interface StageChangeResult {
  modelVersion: ModelVersionRecord;
  /** Ids of the records written: this version's first (when its stage changed), then those archived. */
  transitionIds: number[];
  archivedVersions: ModelVersionRecord[];
}

const COMPARE: Record<MetricRequirement['op'], (a: number, b: number) => boolean> = {
  GT: (a, b) => a > b,
  GTE: (a, b) => a >= b,
  LT: (a, b) => a < b,
  LTE: (a, b) => a <= b,
  EQ: (a, b) => a === b,
};
const SYMBOL = { GT: '>', GTE: '>=', LT: '<', LTE: '<=', EQ: '==' } as const;

/** Fails with PRECONDITION_FAILED naming every requirement the version's metrics do not meet. */
async function checkRequirementsHold(tx: Db, version: ModelVersionRecord, requirements: MetricRequirement[]) {
  if (requirements.length === 0) return;
  const rows = await tx
    .select({ key: modelVersionMetrics.key, value: modelVersionMetrics.value })
    .from(modelVersionMetrics)
    .where(and(eq(modelVersionMetrics.versionId, version.id), inArray(modelVersionMetrics.key, requirements.map((r) => r.metric))));
  const metrics = new Map(rows.map((r) => [r.key, r.value]));
  const failed = requirements.filter((r) => {
    const actual = metrics.get(r.metric);
    return actual === undefined || !COMPARE[r.op](actual, r.value);
  });
  if (failed.length) {
    const reasons = failed.map((r) => {
      const actual = metrics.get(r.metric);
      return `${r.metric} ${SYMBOL[r.op]} ${r.value} (${actual === undefined ? 'metric not logged' : `is ${actual}`})`;
    });
    throw new PreconditionFailedError(
      `Version ${version.version} of ${version.modelName} does not meet its requirements: ${reasons.join('; ')}`,
    );
  }
}

/** moveToStage's statement: the moved version (null when already there) and those archived, as JSON. */
export function moveToStageStatement(modelId: number, versionId: number, stage: Stage, archiveExisting: boolean): SQL {
  return sql`WITH moved AS (
      UPDATE model_versions SET stage = ${stage}::stage, updated_at = now()
      WHERE id = ${versionId} AND stage <> ${stage}::stage RETURNING ${VERSION_RECORD_COLUMNS}
    ), archived AS (
      UPDATE model_versions SET stage = 'ARCHIVED', updated_at = now()
      WHERE ${archiveExisting} AND model_id = ${modelId} AND stage = ${stage}::stage AND id <> ${versionId} RETURNING ${VERSION_RECORD_COLUMNS}
    ), touched AS ( -- runs though unread: PostgreSQL completes every data-modifying WITH
      UPDATE registered_models SET updated_at = now()
      WHERE id = ${modelId} AND (EXISTS (SELECT 1 FROM moved) OR EXISTS (SELECT 1 FROM archived)) RETURNING id
    )
    SELECT (SELECT row_to_json(moved) FROM moved) AS moved,
      (SELECT coalesce(json_agg(archived ORDER BY archived.version DESC), '[]'::json) FROM archived) AS archived`;
}

/**
 * Moves an already locked version, archiving the others in the target stage when asked, and
 * marks the model changed: one statement, since a change's round trips are what writers wait on.
 */
async function moveToStage(
  change: Change,
  model: RegisteredModelRecord,
  version: ModelVersionRecord,
  stage: Stage,
  archiveExisting: boolean,
  comment: string | null,
): Promise<{ modelVersion: ModelVersionRecord; archived: ModelVersionRecord[] }> {
  const [row] = rowsOf<{ moved: ModelVersionRecord | null; archived: ModelVersionRecord[] }>(
    await change.tx.execute(moveToStageStatement(model.id, version.id, stage, archiveExisting)),
  );
  const named = (v: ModelVersionRecord) => ({ ...normalizeVersionRow(v), modelName: model.name });
  const modelVersion = row.moved ? named(row.moved) : version;
  if (row.moved) {
    change.record({
      type: 'STAGE_CHANGED',
      modelId: model.id,
      modelName: model.name,
      versionId: version.id,
      version: version.version,
      transition: { fromStage: version.stage, toStage: stage, comment },
    });
  }
  const archived = row.archived.map(named);
  for (const v of archived) {
    change.record({
      type: 'STAGE_CHANGED',
      modelId: model.id,
      modelName: model.name,
      versionId: v.id,
      version: v.version,
      transition: { fromStage: stage, toStage: 'ARCHIVED', comment },
    });
  }
  return { modelVersion, archived };
}

/** Moving a version into or out of PRODUCTION (which archiving there also does) needs PROMOTE; EDIT covers the rest. */
async function requireStagePermission(change: Change, model: RegisteredModelRecord, from: Stage, to: Stage) {
  if (from === 'PRODUCTION' || to === 'PRODUCTION') await change.actor.require(model.id, model.name, 'PROMOTE', change.tx);
}

export interface TransitionInput {
  name: string;
  version: number;
  stage: Stage;
  archiveExistingVersions?: boolean | null;
  expectedStage?: Stage | null;
  requirements?: MetricRequirement[] | null;
  comment?: string | null;
}

export async function transitionStage(database: RegistryDatabase, actor: Actor, input: TransitionInput): Promise<StageChangeResult> {
  const archive = input.archiveExistingVersions ?? false;
  if (archive && !ACTIVE_STAGES.includes(input.stage)) {
    throw new InvalidInputError(
      `archiveExistingVersions applies only to STAGING or PRODUCTION, not to ${input.stage}`,
      ['input', 'archiveExistingVersions'],
    );
  }
  checkVersionNumber(input.version, ['input', 'version']);
  const requirements = checkRequirements(input.requirements, ['input', 'requirements']);
  const comment = checkComment(input.comment, ['input', 'comment']);
  const { value, transitionIds } = await runChange(database, actor, async (change) => {
    const { model, version } = await lockModelVersion(change, input.name, input.version, 'EDIT');
    await requireStagePermission(change, model, version.stage, input.stage);
    if (input.expectedStage && version.stage !== input.expectedStage) {
      throw new PreconditionFailedError(
        `Version ${version.version} of ${model.name} is in ${version.stage}, not in the expected ${input.expectedStage}`,
      );
    }
    await checkRequirementsHold(change.tx, version, requirements);
    return moveToStage(change, model, version, input.stage, archive, comment);
  });
  return { modelVersion: value.modelVersion, archivedVersions: value.archived, transitionIds };
}

export interface PromoteInput {
  name: string;
  fromStage: Stage;
  toStage: Stage;
  requirements?: MetricRequirement[] | null;
  archiveExistingVersions?: boolean | null;
  comment?: string | null;
}

/**
 * The guarded promotion: the newest version in `fromStage`, checked against the requirements,
 * moved to `toStage`. The model row lock serializes concurrent promotions of one model, so
 * a version is never promoted twice. Archiving applies only when `toStage` is STAGING or PRODUCTION.
 */
export async function promoteModelVersion(database: RegistryDatabase, actor: Actor, input: PromoteInput): Promise<StageChangeResult> {
  checkModelName(input.name, ['input', 'name']);
  if (input.fromStage === input.toStage) {
    throw new InvalidInputError('fromStage and toStage must differ', ['input', 'toStage']);
  }
  const archive = (input.archiveExistingVersions ?? true) && ACTIVE_STAGES.includes(input.toStage);
  const requirements = checkRequirements(input.requirements, ['input', 'requirements']);
  const comment = checkComment(input.comment, ['input', 'comment']);
  const { value, transitionIds } = await runChange(database, actor, async (change) => {
    const model = await lockModel(change, input.name, 'EDIT');
    await requireStagePermission(change, model, input.fromStage, input.toStage);
    const [newest] = await change.tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.stage, input.fromStage)))
      .orderBy(desc(modelVersions.version))
      .limit(1);
    if (!newest) throw new PreconditionFailedError(`No version of ${model.name} is in ${input.fromStage}`);
    const version = await lockVersion(change.tx, model, newest.version);
    await checkRequirementsHold(change.tx, version, requirements);
    return moveToStage(change, model, version, input.toStage, archive, comment);
  });
  return { modelVersion: value.modelVersion, archivedVersions: value.archived, transitionIds };
}

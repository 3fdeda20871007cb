// StageTransition: the stage history node, its registry-wide query, and the stage mutations.
import { pageStageTransitions } from '../../db/queries/stage-transitions.js';
import { encodeEventCursor } from '../../events/cursor.js';
import { promoteModelVersion, type StageChangeResult, transitionStage } from '../../registry/stage-transitions.js';
import { builder } from '../builder.js';
import { MetricRequirementInput, StageEnum } from './common.js';
import { StageTransitionConnection, toConnection } from './connections.js';
import { asResult, resultUnion } from './errors.js';
import { visibleModel } from './visibility.js';
import { ModelVersionRef, StageTransitionRef } from './refs.js';

builder.node(StageTransitionRef, {
  description: 'One change of one version’s stage. Stored for good: the audit history and the event log of stage changes.',
  id: { resolve: (t) => t.id },
  loadMany: (ids, ctx) => Promise.all(ids.map(async (id) => visibleModel(ctx, await ctx.loaders.transitionById.load(Number(id))))),
  fields: (t) => ({
    cursor: t.string({
      description: 'Resume token: pass it as `after` to stageChanged to receive the changes that came after this one.',
      resolve: (tr) => encodeEventCursor(tr.position),
    }),
    name: t.exposeString('modelName', { description: 'The model’s name when the change was made.' }),
    version: t.exposeInt('version', { description: 'The version number.' }),
    fromStage: t.expose('fromStage', { type: StageEnum, description: 'The stage it left.' }),
    toStage: t.expose('toStage', { type: StageEnum, description: 'The stage it entered.' }),
    comment: t.exposeString('comment', { nullable: true, description: 'Why, as given with the request.' }),
    actor: t.exposeString('actor', { nullable: true, description: 'Who asked for the change, where the request carried an identity.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the change was made.' }),
    modelVersion: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'Null once the version has been deleted.',
      resolve: (tr, _, ctx) => (tr.versionId == null ? null : ctx.loaders.versionById.load(tr.versionId)),
    }),
  }),
});

const StageTransitionFilterInput = builder.inputType('StageTransitionFilter', {
  description: 'Which stage changes to list. Set fields are ANDed.',
  fields: (t) => ({
    name: t.string({ description: 'Only this model’s changes (by its name at the time).' }),
    toStages: t.field({ type: [StageEnum], description: 'Only changes into these stages.' }),
  }),
});

builder.queryField('stageTransitions', (t) =>
  t.field({
    type: StageTransitionConnection,
    description: 'The registry-wide stage history, oldest first (commit order). Kept after versions and models are deleted.',
    args: { ...t.arg.connectionArgs(), filter: t.arg({ type: StageTransitionFilterInput }) },
    resolve: async (_, args, ctx) => {
      const page = await pageStageTransitions(ctx.database.db, { ...args, hiddenModelIds: await ctx.actor.hiddenModels() });
      return toConnection(page, page.cursorOf, page.totalCount);
    },
  }),
);

const StageChangePayload = builder.objectRef<StageChangeResult>('TransitionModelVersionStagePayload').implement({
  description: 'The version after a stage change, with every stage change it caused.',
  fields: (t) => ({
    modelVersion: t.expose('modelVersion', { type: ModelVersionRef, description: 'The version asked for, in its new stage.' }),
    transitions: t.field({
      type: [StageTransitionRef],
      description: 'One record per version whose stage changed: this version’s first, then those archived.',
      // Read only when asked: positions are given at commit, so they are not known before it.
      resolve: async (result, _, ctx) => {
        const records = await Promise.all(result.transitionIds.map((id) => ctx.loaders.transitionById.load(id)));
        return records.filter((t) => t !== null);
      },
    }),
    archivedVersions: t.expose('archivedVersions', { type: [ModelVersionRef], description: 'Versions moved to ARCHIVED by this change.' }),
  }),
});

const TransitionInput = builder.inputType('TransitionModelVersionStageInput', {
  description: 'Moves one version to a stage, with optional preconditions.',
  fields: (t) => ({
    name: t.string({ required: true }),
    version: t.int({ required: true }),
    stage: t.field({ type: StageEnum, required: true, description: 'The target stage.' }),
    archiveExistingVersions: t.boolean({
      defaultValue: false,
      description: 'When true and `stage` is STAGING or PRODUCTION, every other version of the model in that stage moves to ARCHIVED in the same transaction.',
    }),
    expectedStage: t.field({ type: StageEnum, description: 'Optimistic concurrency: fail with PRECONDITION_FAILED unless the version is in this stage now.' }),
    requirements: t.field({ type: [MetricRequirementInput], description: 'Every requirement must hold, or nothing changes and PRECONDITION_FAILED is returned.' }),
    comment: t.string({ description: 'Why; stored with the transition.' }),
  }),
});

const PromoteInput = builder.inputType('PromoteModelVersionInput', {
  description:
    'The guarded promotion workflow in one atomic step: take the model’s newest version in `fromStage`, check every requirement against its metrics, and move it to `toStage`. Concurrent promotions of one model are serialized.',
  fields: (t) => ({
    name: t.string({ required: true }),
    fromStage: t.field({ type: StageEnum, required: true }),
    toStage: t.field({ type: StageEnum, required: true }),
    requirements: t.field({ type: [MetricRequirementInput], description: 'Every requirement must hold, or nothing changes.' }),
    archiveExistingVersions: t.boolean({
      defaultValue: true,
      description: 'Archive the other versions in `toStage` (applies when it is STAGING or PRODUCTION).',
    }),
    comment: t.string({ description: 'Why; stored with the transition.' }),
  }),
});

const TransitionResult = resultUnion(
  'TransitionModelVersionStageResult',
  StageChangePayload,
  ['NotFoundError', 'InvalidInputError', 'PreconditionFailedError', 'PermissionDeniedError'],
  'The stage change, or why nothing changed.',
);
const PromoteResult = resultUnion(
  'PromoteModelVersionResult',
  StageChangePayload,
  ['NotFoundError', 'InvalidInputError', 'PreconditionFailedError', 'PermissionDeniedError'],
  'The promotion, or why nothing changed.',
);

builder.mutationFields((t) => ({
  transitionModelVersionStage: t.field({
    type: TransitionResult,
    description: 'Moves a version to a stage, optionally archiving the others there, checking preconditions first.',
    args: { input: t.arg({ type: TransitionInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(() => transitionStage(ctx.database, ctx.actor, input)),
  }),
  promoteModelVersion: t.field({
    type: PromoteResult,
    description: 'Promotes the newest version in `fromStage` to `toStage` when every requirement holds, in one atomic step.',
    args: { input: t.arg({ type: PromoteInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(() => promoteModelVersion(ctx.database, ctx.actor, input)),
  }),
}));

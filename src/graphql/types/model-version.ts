// ModelVersion: the node, its fields, the version queries and the version mutations.
import { pageModelVersions } from '../../db/queries/model-versions.js';
import { transitionCursor } from '../../db/queries/stage-transitions.js';
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  logModelVersionMetrics,
  registerModel,
  setModelVersionTag,
  updateModelVersion,
} from '../../registry/model-versions.js';
import type { ModelVersionRecord, RegisteredModelRecord } from '../../registry/types.js';
import { isPossibleModelName } from '../../registry/validation.js';
import { builder } from '../builder.js';
import { transitionPageKey } from '../loaders.js';
import { MetricInput, MetricRef, ModelVersionStatusEnum, OrderDirectionEnum, StageEnum, StringFilterInput, TagFilterInput, TagInput, TagRef } from './common.js';
import { ModelVersionConnection, StageTransitionConnection, toConnection } from './connections.js';
import { asResult, resultUnion } from './errors.js';
import { visibleModel } from './visibility.js';
import { ModelVersionRef, RegisteredModelRef } from './refs.js';

builder.node(ModelVersionRef, {
  description: 'One numbered version of a registered model: where its artifacts live, its stage, tags and metrics.',
  id: { resolve: (v) => v.id },
  loadMany: (ids, ctx) => Promise.all(ids.map(async (id) => visibleModel(ctx, await ctx.loaders.versionById.load(Number(id))))),
  fields: (t) => ({
    registeredModel: t.field({
      type: RegisteredModelRef,
      description: 'The model this is a version of.',
      resolve: async (v, _, ctx) => (await ctx.loaders.modelById.load(v.modelId))!,
    }),
    name: t.exposeString('modelName', { description: 'The registered model’s name.' }),
    version: t.exposeInt('version', {
      description: '1 for the first version of a model, then 2, 3, ... with no gaps or repeats, even under concurrent creation.',
    }),
    stage: t.expose('stage', { type: StageEnum, description: 'The lifecycle stage it is in now.' }),
    status: t.expose('status', { type: ModelVersionStatusEnum, description: 'Registration status; always READY here.' }),
    source: t.exposeString('source', { description: 'Where the model’s artifacts live, e.g. s3://bucket/path or runs:/<run id>/model.' }),
    runId: t.exposeString('runId', { nullable: true, description: 'The training run that produced it.' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, up to 5,000 characters.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the version was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change to the version: description or stage.' }),
    tags: t.field({ type: [TagRef], description: 'The version’s tags, by key.', resolve: (v, _, ctx) => v.tags ?? ctx.loaders.versionTags.load(v.id) }),
    metrics: t.field({ type: [MetricRef], description: 'Latest value of each metric, by key.', resolve: (v, _, ctx) => ctx.loaders.versionMetrics.load(v.id) }),
    aliases: t.field({ type: ['String'], description: 'Aliases pointing at this version.', resolve: (v, _, ctx) => ctx.loaders.versionAliases.load(v.id) }),
    transitions: t.field({
      type: StageTransitionConnection,
      description: 'This version’s stage history, oldest first.',
      args: t.arg.connectionArgs(),
      resolve: async (v, args, ctx) => {
        const key = transitionPageKey(v.id, args);
        const page = await ctx.loaders.transitionPages.load(key);
        return toConnection(page, (tr) => transitionCursor(key.plan, tr), () => ctx.loaders.transitionCounts.load(v.id));
      },
    }),
  }),
});

const ModelVersionFilterInput = builder.inputType('ModelVersionFilter', {
  description: 'Which versions to list. Set fields are ANDed.',
  fields: (t) => ({
    name: t.field({ type: StringFilterInput, description: 'Condition on the model’s name.' }),
    stages: t.field({ type: [StageEnum], description: 'Only versions in these stages.' }),
    runId: t.string({ description: 'Only versions of this run.' }),
    source: t.field({ type: StringFilterInput, description: 'Condition on the source URI.' }),
    tags: t.field({ type: [TagFilterInput], description: 'Every tag filter must match.' }),
  }),
});

const ModelVersionOrderFieldEnum = builder.enumType('ModelVersionOrderField', {
  description: 'Sort keys for model versions.',
  values: ['VERSION', 'CREATED_AT', 'UPDATED_AT'] as const,
});

const ModelVersionOrderInput = builder.inputType('ModelVersionOrder', {
  description: 'Sort order for model versions; ties are broken by id.',
  fields: (t) => ({
    field: t.field({ type: ModelVersionOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

builder.queryFields((t) => ({
  modelVersion: t.field({
    type: ModelVersionRef,
    nullable: true,
    description: 'A version by model name and number; null when there is none.',
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }) },
    resolve: async (_, args, ctx) => visibleModel(ctx, isPossibleModelName(args.name) ? await ctx.loaders.versionByName.load(args) : null),
  }),
  modelVersions: t.field({
    type: ModelVersionConnection,
    description: 'Across all models. Same paging rules as registeredModels. Default order CREATED_AT DESC.',
    args: { ...t.arg.connectionArgs(), filter: t.arg({ type: ModelVersionFilterInput }), orderBy: t.arg({ type: ModelVersionOrderInput }) },
    resolve: async (_, args, ctx) => {
      const page = await pageModelVersions(ctx.database.db, { ...args, hiddenModelIds: await ctx.actor.hiddenModels() });
      return toConnection(page, page.cursorOf, page.totalCount);
    },
  }),
}));

// ---- Mutations -------------------------------------------------------------------------------

const CreatePayload = builder.objectRef<{ modelVersion: ModelVersionRecord }>('CreateModelVersionPayload').implement({
  description: 'The version created.',
  fields: (t) => ({ modelVersion: t.expose('modelVersion', { type: ModelVersionRef, description: 'The new version.' }) }),
});
const RegisterPayload = builder
  .objectRef<{ registeredModel: RegisteredModelRecord; modelVersion: ModelVersionRecord }>('RegisterModelPayload')
  .implement({
    description: 'The model (created when it was missing) and its new version.',
    fields: (t) => ({
      registeredModel: t.expose('registeredModel', { type: RegisteredModelRef, description: 'The model.' }),
      modelVersion: t.expose('modelVersion', { type: ModelVersionRef, description: 'The new version.' }),
    }),
  });
const UpdatePayload = builder.objectRef<{ modelVersion: ModelVersionRecord }>('UpdateModelVersionPayload').implement({
  description: 'The version after the change.',
  fields: (t) => ({ modelVersion: t.expose('modelVersion', { type: ModelVersionRef, description: 'The version after the change.' }) }),
});
const DeletePayload = builder.objectRef<{ deletedId: string; name: string; version: number }>('DeleteModelVersionPayload').implement({
  description: 'The version deleted. Its number is never used again.',
  fields: (t) => ({
    deletedId: t.exposeID('deletedId', { description: 'The global id it had.' }),
    name: t.exposeString('name', { description: 'Its model’s name.' }),
    version: t.exposeInt('version', { description: 'Its number.' }),
  }),
});

const CreateResult = resultUnion('CreateModelVersionResult', CreatePayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The version created, or why not.');
const RegisterResult = resultUnion('RegisterModelResult', RegisterPayload, ['InvalidInputError', 'PermissionDeniedError'], 'The version registered, or why not.');
const UpdateResult = resultUnion('UpdateModelVersionResult', UpdatePayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The version updated, or why not.');
const DeleteResult = resultUnion('DeleteModelVersionResult', DeletePayload, ['NotFoundError', 'PermissionDeniedError'], 'The version deleted, or why not.');
const VersionResult = resultUnion('ModelVersionResult', UpdatePayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The version after a tag or metric change, or why not.');

const CreateInput = builder.inputType('CreateModelVersionInput', {
  description: 'A new version of an existing model.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The existing model.' }),
    source: t.string({ required: true, description: 'Where the artifacts live: 1-2,048 characters.' }),
    runId: t.string({ description: 'The training run that produced it.' }),
    description: t.string({ description: 'Up to 5,000 characters.' }),
    tags: t.field({ type: [TagInput], description: 'At most 100.' }),
    metrics: t.field({ type: [MetricInput], description: 'At most 100; values must be finite.' }),
  }),
});
const RegisterInput = builder.inputType('RegisterModelInput', {
  description: 'mlflow.register_model: creates the registered model when it does not exist yet, then a new version of it.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model, created when missing.' }),
    source: t.string({ required: true, description: 'Where the artifacts live: 1-2,048 characters.' }),
    runId: t.string({ description: 'The training run that produced it.' }),
    description: t.string({ description: 'The version’s description, up to 5,000 characters.' }),
    tags: t.field({ type: [TagInput], description: 'The version’s tags, at most 100.' }),
    metrics: t.field({ type: [MetricInput], description: 'The version’s metrics, at most 100.' }),
  }),
});
const UpdateInput = builder.inputType('UpdateModelVersionInput', {
  description: 'A version’s new description.',
  fields: (t) => ({ name: t.string({ required: true }), version: t.int({ required: true }), description: t.string({ description: 'Null clears it.' }) }),
});
const DeleteInput = builder.inputType('DeleteModelVersionInput', {
  description: 'The version to delete.',
  fields: (t) => ({ name: t.string({ required: true }), version: t.int({ required: true }) }),
});
const SetTagInput = builder.inputType('SetModelVersionTagInput', {
  description: 'A tag to add or overwrite on a version.',
  fields: (t) => ({ name: t.string({ required: true }), version: t.int({ required: true }), key: t.string({ required: true }), value: t.string({ required: true }) }),
});
const DeleteTagInput = builder.inputType('DeleteModelVersionTagInput', {
  description: 'A tag to remove from a version; removing an absent key is a no-op.',
  fields: (t) => ({ name: t.string({ required: true }), version: t.int({ required: true }), key: t.string({ required: true }) }),
});
const LogMetricsInput = builder.inputType('LogModelVersionMetricsInput', {
  description: 'Metric values to set on a version.',
  fields: (t) => ({ name: t.string({ required: true }), version: t.int({ required: true }), metrics: t.field({ type: [MetricInput], required: true }) }),
});

const versionPayload = (modelVersion: ModelVersionRecord) => ({ modelVersion });

builder.mutationFields((t) => ({
  createModelVersion: t.field({
    type: CreateResult,
    description: 'Adds the next numbered version to an existing model.',
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => versionPayload(await createModelVersion(ctx.database, ctx.actor, input))),
  }),
  registerModel: t.field({
    type: RegisterResult,
    description: 'mlflow.register_model: creates the model when missing, then its next version, in one transaction.',
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        const { model, version } = await registerModel(ctx.database, ctx.actor, input);
        return { registeredModel: model, modelVersion: version };
      }),
  }),
  updateModelVersion: t.field({
    type: UpdateResult,
    description: 'Sets the version’s description. Does not change the model’s updatedAt.',
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => versionPayload(await updateModelVersion(ctx.database, ctx.actor, input))),
  }),
  deleteModelVersion: t.field({
    type: DeleteResult,
    description: 'Deletes the version and its aliases. Its number is never reused; its stage history stays.',
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        const v = await deleteModelVersion(ctx.database, ctx.actor, input);
        return { deletedId: Buffer.from(`ModelVersion:${v.id}`).toString('base64'), name: v.modelName, version: v.version };
      }),
  }),
  setModelVersionTag: t.field({
    type: VersionResult,
    description: 'Adds or overwrites a tag on the version.',
    args: { input: t.arg({ type: SetTagInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => versionPayload(await setModelVersionTag(ctx.database, ctx.actor, input))),
  }),
  deleteModelVersionTag: t.field({
    type: VersionResult,
    description: 'Removes a tag from the version.',
    args: { input: t.arg({ type: DeleteTagInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => versionPayload(await deleteModelVersionTag(ctx.database, ctx.actor, input))),
  }),
  logModelVersionMetrics: t.field({
    type: VersionResult,
    description: 'Sets (adds or overwrites) each metric’s latest value.',
    args: { input: t.arg({ type: LogMetricsInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => versionPayload(await logModelVersionMetrics(ctx.database, ctx.actor, input))),
  }),
}));

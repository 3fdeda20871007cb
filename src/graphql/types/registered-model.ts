// RegisteredModel: the node, its fields, the model queries and the model mutations.
import { getArgumentValues, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { versionCursor, type VersionPageShape } from '../../db/queries/model-versions.js';
import { type ModelLookupShape, pageRegisteredModels } from '../../db/queries/registered-models.js';
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelAlias,
  deleteRegisteredModelTag,
  renameRegisteredModel,
  setRegisteredModelAlias,
  setRegisteredModelTag,
  updateRegisteredModel,
} from '../../registry/registered-models.js';
import type { RegisteredModelRecord, Stage } from '../../registry/types.js';
import { isPossibleModelName } from '../../registry/validation.js';
import { builder } from '../builder.js';
import { modelLookupKey, sameStages, stagesKeyOf, versionPageKeyOnce } from '../loaders.js';
import { fieldNodesAt, fieldsAt } from '../selection.js';
import { OrderDirectionEnum, StageEnum, StringFilterInput, TagFilterInput, TagInput, TagRef } from './common.js';
import { ModelVersionConnection, RegisteredModelConnection, toConnection } from './connections.js';
import { asResult, resultUnion } from './errors.js';
import { visibleModel } from './visibility.js';
import { ModelVersionRef, RegisteredModelRef } from './refs.js';

// Look-ahead: a version page fetches only the columns its nodes select, a lookup by name the
// relations its model selects (see ../selection.ts).
const EDGE_NODE = ['edges', 'node'];
/** ModelVersion fields that read a column of the same name, and the one that reads another. */
const COLUMN_FIELDS = new Set(['stage', 'status', 'source', 'runId', 'description', 'createdAt', 'updatedAt']);

const shapes = new WeakMap<object, VersionPageShape>();
/** The properties read of a lookup's latest versions, per set of latestVersions field nodes of a parsed (and reused) document. */
const latestProperties = new WeakMap<object, string[]>();

/** The version record's properties that these selected ModelVersion fields read. */
function versionProperties(fields: Set<string>): string[] {
  const properties = [...fields].filter((f) => COLUMN_FIELDS.has(f));
  if (fields.has('name')) properties.push('modelName');
  return properties.sort();
}

/** The columns and tags a version page needs for the fields selected on its nodes; kept per field of a parsed (and reused) document. */
function versionPageShape(info: GraphQLResolveInfo): VersionPageShape {
  let shape = shapes.get(info.fieldNodes);
  if (!shape) {
    const fields = fieldsAt(info, EDGE_NODE);
    // Only pageInfo tells whether more versions follow; without it the page reads no extra row.
    shape = { properties: versionProperties(fields), withTags: fields.has('tags'), needsMore: fieldsAt(info, []).has('pageInfo') };
    shapes.set(info.fieldNodes, shape);
  }
  return shape;
}

/**
 * What a model lookup should bring along for the fields selected on it: tags, aliases, and the
 * latest versions when every latestVersions selection asks for the same stages.
 */
function modelLookupShape(info: GraphQLResolveInfo): ModelLookupShape {
  const nodes = fieldNodesAt(info, []);
  const shape: ModelLookupShape = { withTags: nodes.some((n) => n.name.value === 'tags'), withAliases: nodes.some((n) => n.name.value === 'aliases') };
  const latest = nodes.filter((n) => n.name.value === 'latestVersions');
  if (latest.length > 0) {
    const definition = (info.schema.getType('RegisteredModel') as GraphQLObjectType).getFields().latestVersions;
    const asked = latest.map((n) => getArgumentValues(definition, n, info.variableValues).stages as Stage[] | null | undefined);
    if (asked.every((stages) => sameStages(stages, asked[0]))) {
      shape.latestStages = asked[0] ?? null;
      const key = info.fieldNodes;
      let properties = latestProperties.get(key);
      if (!properties) latestProperties.set(key, (properties = versionProperties(fieldsAt(info, [], latest))));
      shape.latestProperties = properties;
    }
  }
  return shape;
}

builder.node(RegisteredModelRef, {
  description: 'A named model: the container of its numbered versions, tags and aliases.',
  id: { resolve: (model) => model.id },
  loadMany: (ids, ctx) => Promise.all(ids.map(async (id) => visibleModel(ctx, await ctx.loaders.modelById.load(Number(id))))),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name: 1-256 characters, no control characters, no "/".' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, up to 5,000 characters.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the model was created.' }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'Last change to the model: edits, rename, and creating, deleting or moving one of its versions.',
    }),
    tags: t.field({ type: [TagRef], description: 'The model’s tags, by key.', resolve: (m, _, ctx) => m.tags ?? ctx.loaders.modelTags.load(m.id) }),
    aliases: t.field({
      type: [ModelVersionAliasRef],
      description: 'Named pointers to versions (e.g. champion), by alias.',
      resolve: (m, _, ctx) => m.aliases ?? ctx.loaders.modelAliases.load(m.id),
    }),
    latestVersions: t.field({
      type: [ModelVersionRef],
      description:
        'MLflow get_latest_versions: for each stage (all stages when `stages` is omitted), the version with the highest number in that stage; ordered by stage.',
      args: { stages: t.arg({ type: [StageEnum] }) },
      resolve: (m, args, ctx) =>
        m.latestVersions && sameStages(m.latestStages, args.stages) ? m.latestVersions : ctx.loaders.latestVersions.load(stagesKeyOf(m.id, args.stages)),
    }),
    version: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'One version by number; null when it does not exist.',
      args: { version: t.arg.int({ required: true }) },
      resolve: (m, args, ctx) => ctx.loaders.versionByNumber.load({ modelId: m.id, version: args.version }),
    }),
    versionByAlias: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'The version an alias points at; null when the alias is not set.',
      args: { alias: t.arg.string({ required: true }) },
      resolve: (m, args, ctx) =>
        args.alias.includes('\u0000') ? null : ctx.loaders.versionByAlias.load({ modelId: m.id, alias: args.alias }),
    }),
    versions: t.field({
      type: ModelVersionConnection,
      description: 'This model’s versions, newest (highest number) first.',
      args: { ...t.arg.connectionArgs(), stages: t.arg({ type: [StageEnum], description: 'Only versions in these stages.' }) },
      resolve: async (m, args, ctx, info) => {
        const key = versionPageKeyOnce(ctx.loaders, info.fieldNodes, m.id, args, () => versionPageShape(info));
        const page = await ctx.loaders.versionPages.load(key);
        return toConnection(page, (v) => versionCursor(key.plan, v), () => ctx.loaders.versionCounts.load(stagesKeyOf(m.id, args.stages)));
      },
    }),
  }),
});

export const ModelVersionAliasRef = builder
  .objectRef<{ alias: string; version: number; versionId: number }>('ModelVersionAlias')
  .implement({
    description: 'An alias of a registered model and the version it points at.',
    fields: (t) => ({
      alias: t.exposeString('alias', { description: 'The alias: [A-Za-z0-9_-], up to 255 characters.' }),
      version: t.exposeInt('version', { description: 'The version number it points at.' }),
      modelVersion: t.field({
        type: ModelVersionRef,
        description: 'The version it points at.',
        resolve: async (a, _, ctx) => (await ctx.loaders.versionById.load(a.versionId))!,
      }),
    }),
  });

const RegisteredModelFilterInput = builder.inputType('RegisteredModelFilter', {
  description: 'Which models to list. Set fields are ANDed.',
  fields: (t) => ({
    name: t.field({ type: StringFilterInput, description: 'Condition on the name.' }),
    tags: t.field({ type: [TagFilterInput], description: 'Every tag filter must match.' }),
  }),
});

const RegisteredModelOrderFieldEnum = builder.enumType('RegisteredModelOrderField', {
  description: 'Sort keys for registered models.',
  values: ['NAME', 'CREATED_AT', 'UPDATED_AT'] as const,
});

const RegisteredModelOrderInput = builder.inputType('RegisteredModelOrder', {
  description: 'Sort order for registered models; ties are broken by id.',
  fields: (t) => ({
    field: t.field({ type: RegisteredModelOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

builder.queryFields((t) => ({
  registeredModel: t.field({
    type: RegisteredModelRef,
    nullable: true,
    description: 'A model by name; null when there is none.',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_, args, ctx, info) =>
      visibleModel(ctx, isPossibleModelName(args.name) ? await ctx.loaders.modelByNameWithRelated.load(modelLookupKey(args.name, modelLookupShape(info))) : null),
  }),
  registeredModels: t.field({
    type: RegisteredModelConnection,
    description:
      'Keyset-paginated: the cost of a page does not grow with how deep it is or with the number of models. Default page 50; `first` or `last` above 1000 is an error. Default order NAME ASC.',
    args: {
      ...t.arg.connectionArgs(),
      filter: t.arg({ type: RegisteredModelFilterInput }),
      orderBy: t.arg({ type: RegisteredModelOrderInput }),
    },
    resolve: async (_, args, ctx) => {
      const page = await pageRegisteredModels(ctx.database.db, { ...args, hiddenModelIds: await ctx.actor.hiddenModels() });
      return toConnection(page, page.cursorOf, page.totalCount);
    },
  }),
}));

// ---- Mutations -------------------------------------------------------------------------------

function modelPayload(name: string, description: string) {
  return builder.objectRef<{ registeredModel: RegisteredModelRecord }>(name).implement({
    description,
    fields: (t) => ({ registeredModel: t.expose('registeredModel', { type: RegisteredModelRef, description: 'The model after the change.' }) }),
  });
}

const CreatePayload = modelPayload('CreateRegisteredModelPayload', 'The model created.');
const UpdatePayload = modelPayload('UpdateRegisteredModelPayload', 'The model after the change.');
const RenamePayload = modelPayload('RenameRegisteredModelPayload', 'The model under its new name.');

const DeletePayload = builder.objectRef<{ deletedId: string; name: string }>('DeleteRegisteredModelPayload').implement({
  description: 'The model deleted, with its versions, tags and aliases.',
  fields: (t) => ({
    deletedId: t.exposeID('deletedId', { description: 'The global id the model had.' }),
    name: t.exposeString('name', { description: 'The name it had.' }),
  }),
});

const CreateResult = resultUnion('CreateRegisteredModelResult', CreatePayload, ['AlreadyExistsError', 'InvalidInputError', 'PermissionDeniedError'], 'The model created, or why not.');
const UpdateResult = resultUnion('UpdateRegisteredModelResult', UpdatePayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The model updated, or why not.');
const RenameResult = resultUnion('RenameRegisteredModelResult', RenamePayload, ['NotFoundError', 'AlreadyExistsError', 'InvalidInputError', 'PermissionDeniedError'], 'The model renamed, or why not.');
const DeleteResult = resultUnion('DeleteRegisteredModelResult', DeletePayload, ['NotFoundError', 'PermissionDeniedError'], 'The model deleted, or why not.');
const ModelResult = resultUnion('RegisteredModelResult', UpdatePayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The model after a tag or alias change, or why not.');

const CreateInput = builder.inputType('CreateRegisteredModelInput', {
  description: 'A new registered model.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique: 1-256 characters, no control characters, no "/", no leading or trailing space.' }),
    description: t.string({ description: 'Up to 5,000 characters.' }),
    tags: t.field({ type: [TagInput], description: 'At most 100.' }),
  }),
});
const UpdateInput = builder.inputType('UpdateRegisteredModelInput', {
  description: 'The model’s new description.',
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string({ description: 'Null clears it.' }),
  }),
});
const RenameInput = builder.inputType('RenameRegisteredModelInput', {
  description: 'A model and its new name.',
  fields: (t) => ({ name: t.string({ required: true }), newName: t.string({ required: true }) }),
});
const DeleteInput = builder.inputType('DeleteRegisteredModelInput', {
  description: 'The model to delete.',
  fields: (t) => ({ name: t.string({ required: true }) }),
});
const SetTagInput = builder.inputType('SetRegisteredModelTagInput', {
  description: 'A tag to add or overwrite on a model.',
  fields: (t) => ({ name: t.string({ required: true }), key: t.string({ required: true }), value: t.string({ required: true }) }),
});
const DeleteTagInput = builder.inputType('DeleteRegisteredModelTagInput', {
  description: 'A tag to remove from a model; removing an absent key is a no-op.',
  fields: (t) => ({ name: t.string({ required: true }), key: t.string({ required: true }) }),
});
const SetAliasInput = builder.inputType('SetRegisteredModelAliasInput', {
  description: 'Points `alias` at `version`, moving it from any other version.',
  fields: (t) => ({ name: t.string({ required: true }), alias: t.string({ required: true }), version: t.int({ required: true }) }),
});
const DeleteAliasInput = builder.inputType('DeleteRegisteredModelAliasInput', {
  description: 'An alias to remove; removing an absent alias is a no-op.',
  fields: (t) => ({ name: t.string({ required: true }), alias: t.string({ required: true }) }),
});

builder.mutationFields((t) => ({
  createRegisteredModel: t.field({
    type: CreateResult,
    description: 'Creates a registered model with no versions.',
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await createRegisteredModel(ctx.database, ctx.actor, input) })),
  }),
  updateRegisteredModel: t.field({
    type: UpdateResult,
    description: 'Sets the model’s description.',
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await updateRegisteredModel(ctx.database, ctx.actor, input) })),
  }),
  renameRegisteredModel: t.field({
    type: RenameResult,
    description: 'Renames the model; its versions, tags, aliases and history follow.',
    args: { input: t.arg({ type: RenameInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await renameRegisteredModel(ctx.database, ctx.actor, input) })),
  }),
  deleteRegisteredModel: t.field({
    type: DeleteResult,
    description: 'Deletes the model with its versions, tags and aliases. Its stage history stays readable in stageTransitions.',
    args: { input: t.arg({ type: DeleteInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        const model = await deleteRegisteredModel(ctx.database, ctx.actor, input);
        return { deletedId: Buffer.from(`RegisteredModel:${model.id}`).toString('base64'), name: model.name };
      }),
  }),
  setRegisteredModelTag: t.field({
    type: ModelResult,
    description: 'Adds or overwrites a tag on the model.',
    args: { input: t.arg({ type: SetTagInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await setRegisteredModelTag(ctx.database, ctx.actor, input) })),
  }),
  deleteRegisteredModelTag: t.field({
    type: ModelResult,
    description: 'Removes a tag from the model.',
    args: { input: t.arg({ type: DeleteTagInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await deleteRegisteredModelTag(ctx.database, ctx.actor, input) })),
  }),
  setRegisteredModelAlias: t.field({
    type: ModelResult,
    description: 'Points the alias at the version, moving it from any other version of the model.',
    args: { input: t.arg({ type: SetAliasInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await setRegisteredModelAlias(ctx.database, ctx.actor, input) })),
  }),
  deleteRegisteredModelAlias: t.field({
    type: ModelResult,
    description: 'Removes an alias from the model.',
    args: { input: t.arg({ type: DeleteAliasInput, required: true }) },
    resolve: (_, { input }, ctx) => asResult(async () => ({ registeredModel: await deleteRegisteredModelAlias(ctx.database, ctx.actor, input) })),
  }),
}));

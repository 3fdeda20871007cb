// Access control in the API: the viewer, API tokens and per-model grants (admin only but `viewer`).
import { and, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { MODEL_PERMISSIONS, ROLES, grantsOfModels, setModelGrant, type ModelPermission } from '../../auth/permissions.js';
import { createApiToken, listApiTokens, revokeApiToken, type TokenRecord } from '../../auth/tokens.js';
import { registeredModels } from '../../db/schema.js';
import { modelNotFound } from '../../registry/errors.js';
import { checkText } from '../../registry/validation.js';
import { builder } from '../builder.js';
import type { RegistryContext } from '../context.js';
import { asResult, resultUnion } from './errors.js';
import { RegisteredModelRef } from './refs.js';

const RoleEnum = builder.enumType('Role', {
  description: 'READER: queries and subscriptions. EDITOR: also every change to models, versions, tags, metrics, aliases and stages. ADMIN: also deletes, tokens and grants.',
  values: ROLES,
});

const ModelPermissionEnum = builder.enumType('ModelPermission', {
  description:
    'A per-model grant, replacing the role’s default on that model. NONE: hidden. READ: see it. EDIT: register versions, set tags, metrics, descriptions and aliases, move stages outside PRODUCTION. PROMOTE: also move versions into or out of PRODUCTION. MANAGE: also rename and delete.',
  values: MODEL_PERMISSIONS,
});

const ViewerRef = builder.objectRef<{ name: string | null; role: string }>('Viewer').implement({
  description: 'Who the request is authenticated as.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'The token’s name (`admin` for ADMIN_TOKEN); null when auth is off and no token was sent.' }),
    role: t.field({ type: RoleEnum, description: 'Its role.', resolve: (v) => v.role as (typeof ROLES)[number] }),
  }),
});

const ApiTokenRef = builder.objectRef<TokenRecord>('ApiToken').implement({
  description: 'An API token. Its secret is shown once, at creation, and never stored.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name; the actor recorded on its changes.' }),
    role: t.field({ type: RoleEnum, resolve: (tok) => tok.role }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Last authenticated use, to the minute.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const ModelGrantRef = builder.objectRef<{ identity: string; permission: ModelPermission }>('ModelGrant').implement({
  description: 'A per-model grant to an identity (a token name).',
  fields: (t) => ({
    identity: t.exposeString('identity'),
    permission: t.field({ type: ModelPermissionEnum, resolve: (g) => g.permission }),
  }),
});

function requireAdmin(ctx: RegistryContext) {
  if (!ctx.actor.isAdmin) throw new GraphQLError('Only an ADMIN may read this', { extensions: { code: 'PERMISSION_DENIED' } });
}

builder.objectField(RegisteredModelRef, 'grants', (t) =>
  t.field({
    type: [ModelGrantRef],
    description: 'Per-model grants on this model (ADMIN only).',
    resolve: async (m, _, ctx) => {
      requireAdmin(ctx);
      return (await grantsOfModels(ctx.database.db, [m.id])).map((g) => ({ identity: g.identity, permission: g.permission }));
    },
  }),
);

builder.queryFields((t) => ({
  viewer: t.field({ type: ViewerRef, description: 'Who this request is authenticated as.', resolve: (_, __, ctx) => ctx.actor.identity }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: 'Every API token, revoked ones included (ADMIN only). Secrets are never shown.',
    resolve: (_, __, ctx) => {
      requireAdmin(ctx);
      return listApiTokens(ctx.database.db);
    },
  }),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  description: 'A new API token.',
  fields: (t) => ({ name: t.string({ required: true, description: 'Unique, 1-100 characters.' }), role: t.field({ type: RoleEnum, required: true }) }),
});
const CreateApiTokenPayload = builder.objectRef<{ token: string; apiToken: TokenRecord }>('CreateApiTokenPayload').implement({
  description: 'The new token. `token` is the secret: store it now, it is not shown again.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret, for `Authorization: Bearer <token>`.' }),
    apiToken: t.expose('apiToken', { type: ApiTokenRef }),
  }),
});
const RevokeApiTokenInput = builder.inputType('RevokeApiTokenInput', {
  description: 'The token to revoke.',
  fields: (t) => ({ name: t.string({ required: true }) }),
});
const RevokeApiTokenPayload = builder.objectRef<{ apiToken: TokenRecord }>('RevokeApiTokenPayload').implement({
  description: 'The revoked token; requests with it now get 401.',
  fields: (t) => ({ apiToken: t.expose('apiToken', { type: ApiTokenRef }) }),
});
const SetModelGrantInput = builder.inputType('SetModelGrantInput', {
  description: 'Gives `identity` (a token name) `permission` on one model, replacing its role’s default there; null removes the grant.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model.' }),
    identity: t.string({ required: true, description: 'The token name.' }),
    permission: t.field({ type: ModelPermissionEnum, description: 'Null removes the grant.' }),
  }),
});
const SetModelGrantPayload = builder.objectRef<{ grants: { identity: string; permission: ModelPermission }[] }>('SetModelGrantPayload').implement({
  description: 'The model’s grants after the change.',
  fields: (t) => ({ grants: t.expose('grants', { type: [ModelGrantRef] }) }),
});

const CreateApiTokenResult = resultUnion('CreateApiTokenResult', CreateApiTokenPayload, ['AlreadyExistsError', 'InvalidInputError', 'PermissionDeniedError'], 'The new token, or why not.');
const RevokeApiTokenResult = resultUnion('RevokeApiTokenResult', RevokeApiTokenPayload, ['NotFoundError', 'PermissionDeniedError'], 'The revoked token, or why not.');
const SetModelGrantResult = resultUnion('SetModelGrantResult', SetModelGrantPayload, ['NotFoundError', 'InvalidInputError', 'PermissionDeniedError'], 'The grants, or why not.');

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenResult,
    description: 'Creates an API token (ADMIN only). The secret is in the payload, once.',
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        ctx.actor.requireAdmin('create API tokens');
        const { token, secret } = await createApiToken(ctx.database.db, input);
        return { token: secret, apiToken: token };
      }),
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenResult,
    description: 'Revokes an API token (ADMIN only).',
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        ctx.actor.requireAdmin('revoke API tokens');
        return { apiToken: await revokeApiToken(ctx.database.db, input.name) };
      }),
  }),
  setModelGrant: t.field({
    type: SetModelGrantResult,
    description: 'Sets or removes one identity’s permission on one model (ADMIN only).',
    args: { input: t.arg({ type: SetModelGrantInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      asResult(async () => {
        ctx.actor.requireAdmin('manage grants');
        const identity = checkText(input.identity, ['input', 'identity'], 'Identity', 100, 1);
        if (input.name.includes('\u0000')) throw modelNotFound(input.name);
        const [model] = await ctx.database.db.select({ id: registeredModels.id }).from(registeredModels).where(and(eq(registeredModels.name, input.name)));
        if (!model) throw modelNotFound(input.name);
        await setModelGrant(ctx.database.db, identity, model.id, input.permission ?? null);
        const grants = await grantsOfModels(ctx.database.db, [model.id]);
        return { grants: grants.map((g) => ({ identity: g.identity, permission: g.permission })) };
      }),
  }),
}));

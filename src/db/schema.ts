// The registry's tables. drizzle-kit generates the SQL migrations in drizzle/ from this file.
import { sql } from 'drizzle-orm';
import {
  bigint,
  doublePrecision,
  index,
  integer,
  json,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Declaration order is the order `latestVersions` reports stages in. */
export const stageEnum = pgEnum('stage', ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED']);
export const versionStatusEnum = pgEnum('model_version_status', [
  'PENDING_REGISTRATION',
  'FAILED_REGISTRATION',
  'READY',
]);

// Millisecond precision: timestamps round-trip exactly through JS Dates and keyset cursors.
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3 }).notNull().defaultNow();

export const registeredModels = pgTable(
  'registered_models',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: instant('created_at'),
    updatedAt: instant('updated_at'),
    /** The number the next version gets; bumped under the model row's lock, never reused. */
    nextVersion: integer('next_version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('registered_models_name_key').on(t.name),
    index('registered_models_created_at_idx').on(t.createdAt, t.id),
    index('registered_models_updated_at_idx').on(t.updatedAt, t.id),
    index('registered_models_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const modelVersions = pgTable(
  'model_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    modelId: integer('model_id')
      .notNull()
      .references(() => registeredModels.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    stage: stageEnum('stage').notNull().default('NONE'),
    status: versionStatusEnum('status').notNull().default('READY'),
    source: text('source').notNull(),
    runId: text('run_id'),
    description: text('description'),
    createdAt: instant('created_at'),
    updatedAt: instant('updated_at'),
  },
  (t) => [
    uniqueIndex('model_versions_model_version_key').on(t.modelId, t.version),
    index('model_versions_model_stage_version_idx').on(t.modelId, t.stage, t.version),
    index('model_versions_created_at_idx').on(t.createdAt, t.id),
    index('model_versions_updated_at_idx').on(t.updatedAt, t.id),
    index('model_versions_version_idx').on(t.version, t.id),
    index('model_versions_run_id_idx').on(t.runId),
    // By hash: a B-tree entry holds at most 2,704 bytes, and a 2,048-character source can be 8 KB.
    index('model_versions_source_idx').on(sql`md5(${t.source})`),
    index('model_versions_stage_idx').on(t.stage, t.createdAt, t.id),
  ],
);

export const registeredModelTags = pgTable(
  'registered_model_tags',
  {
    modelId: integer('model_id')
      .notNull()
      .references(() => registeredModels.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  // The value by hash: a 5,000-character value would not fit a B-tree entry (see filters.ts).
  (t) => [primaryKey({ columns: [t.modelId, t.key] }), index('registered_model_tags_key_value_idx').on(t.key, sql`md5(${t.value})`)],
);

export const modelVersionTags = pgTable(
  'model_version_tags',
  {
    versionId: integer('version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.key] }), index('model_version_tags_key_value_idx').on(t.key, sql`md5(${t.value})`)],
);

/** The latest value of each metric key on a version. */
export const modelVersionMetrics = pgTable(
  'model_version_metrics',
  {
    versionId: integer('version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.key] })],
);

export const registeredModelAliases = pgTable(
  'registered_model_aliases',
  {
    modelId: integer('model_id')
      .notNull()
      .references(() => registeredModels.id, { onDelete: 'cascade' }),
    alias: text('alias').notNull(),
    versionId: integer('version_id')
      .notNull()
      .references(() => modelVersions.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.alias] }), index('registered_model_aliases_version_idx').on(t.versionId)],
);

/**
 * The audit history of stage changes. Kept for good: no foreign key to the model, and the
 * version link is cleared (not cascaded) when the version is deleted.
 */
export const stageTransitions = pgTable(
  'stage_transitions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** Position of this change's STAGE_CHANGED event: commit order, and the resume cursor. */
    position: bigint('position', { mode: 'number' }).notNull(),
    modelId: integer('model_id').notNull(),
    versionId: integer('version_id').references(() => modelVersions.id, { onDelete: 'set null' }),
    modelName: text('model_name').notNull(),
    version: integer('version').notNull(),
    fromStage: stageEnum('from_stage').notNull(),
    toStage: stageEnum('to_stage').notNull(),
    comment: text('comment'),
    actor: text('actor'),
    createdAt: instant('created_at'),
  },
  (t) => [
    uniqueIndex('stage_transitions_position_key').on(t.position),
    index('stage_transitions_version_idx').on(t.versionId, t.position),
    index('stage_transitions_name_idx').on(t.modelName, t.position),
    index('stage_transitions_to_stage_idx').on(t.toStage, t.position),
  ],
);

/**
 * The durable event log. `position` is assigned at commit (see pendingEventBatches) under the
 * event counter's lock, held until the commit ends, so positions follow commit order with no gaps.
 */
export const registryEvents = pgTable(
  'registry_events',
  {
    position: bigint('position', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    modelId: integer('model_id').notNull(),
    modelName: text('model_name').notNull(),
    versionId: integer('version_id'),
    version: integer('version'),
    transitionId: integer('transition_id'),
    actor: text('actor'),
    occurredAt: instant('occurred_at'),
  },
  (t) => [index('registry_events_model_name_idx').on(t.modelName, t.position)],
);

/**
 * One row: the last event position handed out. Committing writers queue for it in arrival order
 * on an advisory lock (drizzle/0005), then update it under its row lock. Anything else that locks
 * the row must take pg_advisory_xact_lock(738292) first, or it can deadlock with a writer.
 */
export const registryEventCounter = pgTable('registry_event_counter', {
  id: integer('id').primaryKey(),
  lastPosition: bigint('last_position', { mode: 'number' }).notNull(),
});

/**
 * A writer's events, waiting for its commit. A deferred trigger (drizzle/0004, 0005) appends them
 * to the log at commit, numbered under the counter's lock, and deletes the row: the lock every
 * writer queues on is then held for the commit alone, never for a round trip to the server.
 * Committed, the table is empty.
 */
export const pendingEventBatches = pgTable('pending_event_batches', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  /** The events in recording order, each with its stage transition's id drawn in advance. */
  events: json('events').notNull(),
  actor: text('actor'),
});

export const roleEnum = pgEnum('role', ['READER', 'EDITOR', 'ADMIN']);
export const modelPermissionEnum = pgEnum('model_permission', ['NONE', 'READ', 'EDIT', 'PROMOTE', 'MANAGE']);

/** API tokens: only a SHA-256 of the secret is stored; the secret is shown once, at creation. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: instant('created_at'),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex('api_tokens_secret_hash_key').on(t.secretHash), uniqueIndex('api_tokens_name_key').on(t.name)],
);

/** Per-model grants: narrow or widen an identity's role for one model. */
export const modelGrants = pgTable(
  'model_grants',
  {
    identity: text('identity').notNull(),
    modelId: integer('model_id')
      .notNull()
      .references(() => registeredModels.id, { onDelete: 'cascade' }),
    permission: modelPermissionEnum('permission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.identity, t.modelId] }), index('model_grants_model_idx').on(t.modelId)],
);

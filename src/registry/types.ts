// The registry's records as the domain and the GraphQL layer see them.
import type { modelVersions, registeredModels, stageTransitions, registryEvents } from '../db/schema.js';

export type Stage = 'NONE' | 'STAGING' | 'PRODUCTION' | 'ARCHIVED';
export const STAGES: readonly Stage[] = ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'];
/** Stages `archiveExistingVersions` may empty: only the active ones. */
export const ACTIVE_STAGES: readonly Stage[] = ['STAGING', 'PRODUCTION'];

export type RegisteredModelRecord = Omit<typeof registeredModels.$inferSelect, 'nextVersion'>;
export type ModelVersionRecord = typeof modelVersions.$inferSelect & {
  modelName: string;
  /** Present when the read that produced the record fetched the tags with it. */
  tags?: TagInput[];
};
export type StageTransitionRecord = typeof stageTransitions.$inferSelect;
export type RegistryEventRecord = typeof registryEvents.$inferSelect;

export interface TagInput {
  key: string;
  value: string;
}
export interface MetricInput {
  key: string;
  value: number;
}
export type ComparisonOperator = 'GT' | 'GTE' | 'LT' | 'LTE' | 'EQ';
export interface MetricRequirement {
  metric: string;
  op: ComparisonOperator;
  value: number;
}

// Enums, small value types and shared inputs of the contract.
import { REGISTRY_EVENT_TYPES } from '../../events/event-log.js';
import { STAGES } from '../../registry/types.js';
import { builder } from '../builder.js';

export const StageEnum = builder.enumType('Stage', {
  description: 'The lifecycle stages of a model version, as in MLflow.',
  values: STAGES,
});

export const ModelVersionStatusEnum = builder.enumType('ModelVersionStatus', {
  description: 'Registration status of a version. This registry registers synchronously, so versions are READY.',
  values: ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'] as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: ['ASC', 'DESC'] as const,
});

export const RegistryEventTypeEnum = builder.enumType('RegistryEventType', {
  description: 'What kind of change a RegistryEvent records.',
  values: REGISTRY_EVENT_TYPES,
});

export const ComparisonOperatorEnum = builder.enumType('ComparisonOperator', {
  description: 'How a metric requirement compares the metric to its value.',
  values: ['GT', 'GTE', 'LT', 'LTE', 'EQ'] as const,
});

export const TagRef = builder.objectRef<{ key: string; value: string }>('Tag').implement({
  description: 'A key-value label on a model or a version.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Up to 250 characters.' }),
    value: t.exposeString('value', { description: 'Up to 5,000 characters.' }),
  }),
});

export const MetricRef = builder.objectRef<{ key: string; value: number }>('Metric').implement({
  description: 'The latest value logged for a metric key on a model version.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The metric, e.g. accuracy.' }),
    value: t.exposeFloat('value', { description: 'Its latest value.' }),
  }),
});

export const TagInput = builder.inputType('TagInput', {
  description: 'A tag to set. A key given twice in one list keeps its last value.',
  fields: (t) => ({
    key: t.string({ required: true, description: '1 to 250 characters, no control characters.' }),
    value: t.string({ required: true, description: 'Up to 5,000 characters.' }),
  }),
});

export const MetricInput = builder.inputType('MetricInput', {
  description: 'A metric value to log; it replaces the key’s previous value.',
  fields: (t) => ({
    key: t.string({ required: true, description: '1 to 250 characters.' }),
    value: t.float({ required: true, description: 'A finite number.' }),
  }),
});

export const MetricRequirementInput = builder.inputType('MetricRequirement', {
  description: 'Holds when the version’s metric `metric` compares to `value` as `op` says. A missing metric does not hold.',
  fields: (t) => ({
    metric: t.string({ required: true, description: 'The metric key.' }),
    op: t.field({ type: ComparisonOperatorEnum, required: true, description: 'The comparison.' }),
    value: t.float({ required: true, description: 'The threshold.' }),
  }),
});

export const StringFilterInput = builder.inputType('StringFilter', {
  description: 'Matches a string. Set fields are ANDed. like/ilike take SQL LIKE patterns (% and _), as MLflow’s filters do.',
  fields: (t) => ({
    equals: t.string({ description: 'Exactly this string.' }),
    in: t.stringList({ description: 'Any of these strings (at most 100).' }),
    like: t.string({ description: 'A case-sensitive LIKE pattern.' }),
    ilike: t.string({ description: 'A case-insensitive LIKE pattern.' }),
  }),
});

export const TagFilterInput = builder.inputType('TagFilter', {
  description: 'Matches an entity carrying tag `key`; with `value`, only where the tag’s value matches too.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The tag key, matched exactly.' }),
    value: t.field({ type: StringFilterInput, description: 'Condition on the tag’s value.' }),
  }),
});

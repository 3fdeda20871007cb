// Input rules of the registry. Every violation is an InvalidInputError naming the input's path,
// checked before any SQL runs, so bad text never reaches the database as a driver error.
import { InvalidInputError } from './errors.js';
import type { MetricInput, MetricRequirement, TagInput } from './types.js';

export const LIMITS = {
  nameLength: 256,
  tagKeyLength: 250,
  tagValueLength: 5000,
  descriptionLength: 5000,
  sourceLength: 2048,
  runIdLength: 256,
  commentLength: 5000,
  aliasLength: 255,
  metricKeyLength: 250,
  itemsPerInput: 100,
} as const;

type Path = string[];

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const ALIAS = /^[A-Za-z0-9_-]{1,255}$/;
const RESERVED_ALIAS = /^(latest|v\d+)$/i;

function fail(message: string, path: Path): never {
  throw new InvalidInputError(message, path);
}

/** Any text bound for the database: PostgreSQL cannot store NUL, so it is invalid input. */
export function checkText(value: string, path: Path, field: string, max: number, min = 0): string {
  if (value.includes('\u0000')) fail(`${field} must not contain a NUL character`, path);
  if (value.length < min) fail(min === 1 ? `${field} must not be empty` : `${field} must have at least ${min} characters`, path);
  if (value.length > max) fail(`${field} must have at most ${max} characters (got ${value.length})`, path);
  return value;
}

export function checkModelName(name: string, path: Path, field = 'Model name'): string {
  checkText(name, path, field, LIMITS.nameLength, 1);
  if (CONTROL_CHARS.test(name)) fail(`${field} must not contain control characters`, path);
  if (name.includes('/')) fail(`${field} must not contain '/'`, path);
  if (name.trim() !== name) fail(`${field} must not start or end with whitespace`, path);
  return name;
}

/** True when `name` could be a stored model name; lookups of impossible names find nothing. */
export function isPossibleModelName(name: string): boolean {
  try {
    checkModelName(name, []);
    return true;
  } catch {
    return false;
  }
}

export function checkOptionalText(value: string | null | undefined, path: Path, field: string, max: number) {
  if (value == null) return value ?? null;
  return checkText(value, path, field, max);
}

export const checkDescription = (value: string | null | undefined, path: Path) =>
  checkOptionalText(value, path, 'Description', LIMITS.descriptionLength);

export function checkSource(source: string, path: Path): string {
  return checkText(source, path, 'Source', LIMITS.sourceLength, 1);
}

export function checkTagKey(key: string, path: Path): string {
  checkText(key, path, 'Tag key', LIMITS.tagKeyLength, 1);
  if (CONTROL_CHARS.test(key)) fail('Tag key must not contain control characters', path);
  return key;
}

export function checkTagValue(value: string, path: Path): string {
  return checkText(value, path, 'Tag value', LIMITS.tagValueLength);
}

/** Validates a tag list; a key given twice keeps its last value, as in MLflow. */
export function checkTags(tags: readonly TagInput[] | null | undefined, path: Path): TagInput[] {
  if (!tags) return [];
  if (tags.length > LIMITS.itemsPerInput) fail(`At most ${LIMITS.itemsPerInput} tags per request (got ${tags.length})`, path);
  const byKey = new Map<string, string>();
  tags.forEach((tag, i) => {
    checkTagKey(tag.key, [...path, String(i), 'key']);
    checkTagValue(tag.value, [...path, String(i), 'value']);
    byKey.set(tag.key, tag.value);
  });
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function checkMetricKey(key: string, path: Path): string {
  checkText(key, path, 'Metric key', LIMITS.metricKeyLength, 1);
  if (CONTROL_CHARS.test(key)) fail('Metric key must not contain control characters', path);
  return key;
}

export function checkMetricValue(value: number, path: Path): number {
  if (!Number.isFinite(value)) fail('Metric value must be a finite number', path);
  return value;
}

export function checkMetrics(metrics: readonly MetricInput[] | null | undefined, path: Path): MetricInput[] {
  if (!metrics) return [];
  if (metrics.length > LIMITS.itemsPerInput) fail(`At most ${LIMITS.itemsPerInput} metrics per request (got ${metrics.length})`, path);
  const byKey = new Map<string, number>();
  metrics.forEach((metric, i) => {
    checkMetricKey(metric.key, [...path, String(i), 'key']);
    checkMetricValue(metric.value, [...path, String(i), 'value']);
    byKey.set(metric.key, metric.value);
  });
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function checkRequirements(reqs: readonly MetricRequirement[] | null | undefined, path: Path): MetricRequirement[] {
  if (!reqs) return [];
  if (reqs.length > LIMITS.itemsPerInput) fail(`At most ${LIMITS.itemsPerInput} requirements per request`, path);
  reqs.forEach((req, i) => {
    checkMetricKey(req.metric, [...path, String(i), 'metric']);
    checkMetricValue(req.value, [...path, String(i), 'value']);
  });
  return [...reqs];
}

export function checkAlias(alias: string, path: Path): string {
  checkText(alias, path, 'Alias', LIMITS.aliasLength, 1);
  if (!ALIAS.test(alias)) fail('Alias must match [A-Za-z0-9_-]{1,255}', path);
  if (RESERVED_ALIAS.test(alias)) fail(`Alias '${alias}' is reserved ('latest' and 'v<number>' name versions already)`, path);
  return alias;
}

export function checkVersionNumber(version: number, path: Path): number {
  if (!Number.isInteger(version) || version < 1) fail('Version must be a positive integer', path);
  return version;
}

export const checkRunId = (runId: string | null | undefined, path: Path) => checkOptionalText(runId, path, 'Run id', LIMITS.runIdLength);
export const checkComment = (comment: string | null | undefined, path: Path) =>
  checkOptionalText(comment, path, 'Comment', LIMITS.commentLength);

// Keyset pagination: opaque cursors holding the sort key plus the id, bound to the query's
// filter and order, so a page deep in the registry costs what the first page costs. No OFFSET.
import { createHash } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { QueryArgumentError } from '../../registry/errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export type KeyValue = string | number;

/** Where a page starts and which way it reads. */
export interface PagePlan {
  /** Rows to fetch: the page size plus one, to learn whether there is more (so `first: 0` still reads one row for hasNextPage). */
  limit: number;
  size: number;
  backward: boolean;
  /** The (key, id) after which (forward) or before which (backward) the page starts. */
  from: [KeyValue, number] | null;
  scope: string;
}

/** Key order, null vs absent and `{}` vs absent do not change a filter's or order's meaning, so not its fingerprint. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value == null || typeof value !== 'object') return value ?? null;
  const entries = Object.keys(value)
    .sort()
    .map((k) => [k, canonical((value as Record<string, unknown>)[k])] as const)
    .filter(([, v]) => v !== null);
  return entries.length ? Object.fromEntries(entries) : null;
}

const scopes = new Map<string, string>();
const MAX_REMEMBERED_SCOPES = 1000;

/** A short fingerprint of the filter and order a cursor belongs to; a nested page asks for the same one per parent, so recent ones are kept. */
export function cursorScope(kind: string, shape: unknown): string {
  const text = kind + JSON.stringify(canonical(shape));
  let scope = scopes.get(text);
  if (scope === undefined) {
    scope = createHash('sha256').update(text).digest('base64url').slice(0, 10);
    if (scopes.size >= MAX_REMEMBERED_SCOPES) scopes.clear();
    if (text.length <= 1024) scopes.set(text, scope);
  }
  return scope;
}

export function encodeCursor(scope: string, key: KeyValue, id: number): string {
  return Buffer.from(JSON.stringify([scope, key, id])).toString('base64url');
}

const INT4_MAX = 2147483647;
// Ids are int4: a larger one in a tampered cursor would be a SQL range error, not a bad argument.
const isRowId = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT4_MAX;

function decodeCursor(cursor: string, scope: string, argument: string): [KeyValue, number] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new QueryArgumentError(`Malformed cursor in '${argument}'`, argument);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    !(typeof parsed[1] === 'string' || Number.isFinite(parsed[1])) ||
    !isRowId(parsed[2]) ||
    (typeof parsed[1] === 'string' && parsed[1].includes('\u0000'))
  ) {
    throw new QueryArgumentError(`Malformed cursor in '${argument}'`, argument);
  }
  if (parsed[0] !== scope) {
    throw new QueryArgumentError(
      `The cursor in '${argument}' belongs to a query with another filter or order; restart paging without it`,
      argument,
    );
  }
  return [parsed[1] as KeyValue, parsed[2] as number];
}

function checkSize(value: number | null | undefined, argument: string): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0) throw new QueryArgumentError(`'${argument}' must not be negative`, argument);
  if (value > MAX_PAGE_SIZE) throw new QueryArgumentError(`'${argument}' must be at most ${MAX_PAGE_SIZE}`, argument);
  return value;
}

/** Validates Relay paging arguments. Bad ones are GraphQL errors with extensions.code. */
export function planPage(args: PageArgs, scope: string, defaultSize = DEFAULT_PAGE_SIZE): PagePlan {
  const first = checkSize(args.first, 'first');
  const last = checkSize(args.last, 'last');
  if (first != null && last != null) throw new QueryArgumentError("Pass 'first' or 'last', not both", 'last');
  if (args.after != null && args.before != null) throw new QueryArgumentError("Pass 'after' or 'before', not both", 'before');
  const backward = last != null || (first == null && args.before != null);
  const size = (backward ? last : first) ?? defaultSize;
  const cursor = backward ? args.before : args.after;
  const from = cursor != null ? decodeCursor(cursor, scope, backward ? 'before' : 'after') : null;
  return { limit: size + 1, size, backward, from, scope };
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Trims the extra row and restores reading order for backward pages. */
export function toPage<T>(rows: T[], plan: PagePlan): Page<T> {
  const more = rows.length > plan.size;
  const items = rows.slice(0, plan.size);
  if (plan.backward) {
    items.reverse();
    return { items, hasNextPage: plan.from != null, hasPreviousPage: more };
  }
  return { items, hasNextPage: more, hasPreviousPage: plan.from != null };
}

/** A cursor's key must fit its column's type, or a tampered cursor would reach the database as a cast error. */
function checkKey(key: KeyValue, keyType: 'text' | 'int4' | 'int8' | 'timestamptz', argument: string): KeyValue {
  const fits =
    keyType === 'text'
      ? typeof key === 'string'
      : keyType === 'timestamptz'
        ? typeof key === 'string' && !Number.isNaN(Date.parse(key)) && new Date(key).toISOString() === key
        : Number.isSafeInteger(key) && (keyType === 'int8' || Math.abs(key as number) <= INT4_MAX);
  if (!fits) throw new QueryArgumentError(`Malformed cursor in '${argument}'`, argument);
  return key;
}

/**
 * The WHERE and ORDER BY of a keyset page over (key, id). `keyIsUnique` drops the id from the
 * comparison so a unique index on the key alone serves it.
 */
export function keysetClauses(
  plan: PagePlan,
  key: SQL,
  id: SQL,
  ascending: boolean,
  keyType: 'text' | 'int4' | 'int8' | 'timestamptz',
  keyIsUnique = false,
): { where: SQL | undefined; orderBy: SQL } {
  const up = ascending !== plan.backward;
  const dir = up ? sql.raw('ASC') : sql.raw('DESC');
  const op = up ? sql.raw('>') : sql.raw('<');
  const orderBy = keyIsUnique ? sql`${key} ${dir}` : sql`${key} ${dir}, ${id} ${dir}`;
  if (!plan.from) return { where: undefined, orderBy };
  const value = sql`${checkKey(plan.from[0], keyType, plan.backward ? 'before' : 'after')}::${sql.raw(keyType)}`;
  const lastId = plan.from[1];
  const where = keyIsUnique ? sql`${key} ${op} ${value}` : sql`(${key}, ${id}) ${op} (${value}, ${lastId})`;
  return { where, orderBy };
}

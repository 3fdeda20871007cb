// SQL for the contract's typed filters (StringFilter, TagFilter). Values are always bound
// parameters; LIKE patterns keep their % and _ meaning, as MLflow's filters do.
import { and, type SQL, sql } from 'drizzle-orm';
import { QueryArgumentError } from '../../registry/errors.js';

export interface StringFilter {
  equals?: string | null;
  in?: string[] | null;
  like?: string | null;
  ilike?: string | null;
}

export interface TagFilter {
  key: string;
  value?: StringFilter | null;
}

const MAX_FILTER_ITEMS = 100;

export function checkFilterText(value: string, argument: string): string {
  if (value.includes('\u0000')) throw new QueryArgumentError(`Filter '${argument}' must not contain a NUL character`, argument);
  if (value.length > 5000) throw new QueryArgumentError(`Filter '${argument}' is longer than 5000 characters`, argument);
  return value;
}

/**
 * The conditions of one StringFilter on `column`, ANDed; undefined when the filter is empty.
 * `indexedByHash`: the column's index holds md5(column) (values too long for a B-tree entry), so
 * equality and IN also compare hashes, which the index can serve.
 */
export function stringCondition(
  column: SQL,
  filter: StringFilter | null | undefined,
  argument: string,
  { indexedByHash = false } = {},
): SQL | undefined {
  if (!filter) return undefined;
  const parts: SQL[] = [];
  const oneOf = (values: string[]) => {
    const list = sql.join(values.map((v) => sql`${v}`), sql`, `);
    const matches = sql`${column} IN (${list})`;
    return indexedByHash ? sql`md5(${column}) IN (${sql.join(values.map((v) => sql`md5(${v})`), sql`, `)}) AND ${matches}` : matches;
  };
  if (filter.equals != null) parts.push(oneOf([checkFilterText(filter.equals, `${argument}.equals`)]));
  if (filter.in != null) {
    if (filter.in.length > MAX_FILTER_ITEMS) throw new QueryArgumentError(`Filter '${argument}.in' takes at most ${MAX_FILTER_ITEMS} values`, argument);
    const values = filter.in.map((v) => checkFilterText(v, `${argument}.in`));
    parts.push(values.length ? oneOf(values) : sql`false`);
  }
  if (filter.like != null) parts.push(sql`${column} LIKE ${checkFilterText(filter.like, `${argument}.like`)}`);
  if (filter.ilike != null) parts.push(sql`${column} ILIKE ${checkFilterText(filter.ilike, `${argument}.ilike`)}`);
  return parts.length ? and(...parts) : undefined;
}

/** Every tag filter must match: one EXISTS per filter against the owner's tag table. */
export function tagConditions(
  tags: TagFilter[] | null | undefined,
  tagTable: string,
  ownerColumn: string,
  ownerId: SQL,
  argument: string,
): SQL[] {
  if (!tags) return [];
  if (tags.length > MAX_FILTER_ITEMS) throw new QueryArgumentError(`Filter '${argument}' takes at most ${MAX_FILTER_ITEMS} tags`, argument);
  return tags.map((tag) => {
    const valueCondition = stringCondition(sql.raw('t.value'), tag.value, `${argument}.value`, { indexedByHash: true });
    return sql`EXISTS (SELECT 1 FROM ${sql.identifier(tagTable)} t WHERE t.${sql.identifier(ownerColumn)} = ${ownerId}
      AND t.key = ${checkFilterText(tag.key, `${argument}.key`)}${valueCondition ? sql` AND ${valueCondition}` : sql``})`;
  });
}

// Batched lookups by id bind the ids as one array parameter: `column = ANY($1::int[])`. The
// statement's text is then the same for 1 or 1,000 ids (one prepared plan per connection), and
// building it does not walk one placeholder per id.
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

export function anyOf(column: AnyColumn | SQL, ids: readonly number[]): SQL {
  return sql`${column} = ANY(${sql.param([...ids])}::int[])`;
}

/** `NOT (column = ANY($1::int[]))`: one statement text however many ids are left out. */
export function noneOf(column: AnyColumn | SQL, ids: readonly number[]): SQL {
  return sql`NOT (${anyOf(column, ids)})`;
}

/** Binds a list as one array parameter of the given element type. */
export function arrayParam(values: readonly (string | number)[], type: 'int' | 'text'): SQL {
  return sql`${sql.param([...values])}::${sql.raw(type)}[]`;
}

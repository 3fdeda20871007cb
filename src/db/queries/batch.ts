// Batched lookups by id bind the ids as one array parameter: `column = ANY($1::int[])`. The
// statement's text is then the same for 2 or 1,000 ids (one prepared statement per connection),
// and building it does not walk one placeholder per id. A batch of one binds a plain value
// instead: PostgreSQL then keeps a generic plan for the prepared statement, where `= ANY($1)` of
// unknown length looks costlier generic than custom and is planned again on every run (most of
// a one-model lookup's database time, measured in the README's benchmark notes).
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

export function anyOf(column: AnyColumn | SQL, ids: readonly number[]): SQL {
  return matchAny(column, ids, 'int');
}

/** `column = $1` for one value, `column = ANY($1::type[])` for more. */
export function matchAny(column: AnyColumn | SQL, values: readonly (string | number)[], type: 'int' | 'text'): SQL {
  return values.length === 1 ? sql`${column} = ${values[0]}` : sql`${column} = ANY(${arrayParam(values, type)})`;
}

/** `NOT (column = ANY($1::int[]))`: one statement text however many ids are left out. */
export function noneOf(column: AnyColumn | SQL, ids: readonly number[]): SQL {
  return sql`NOT (${anyOf(column, ids)})`;
}

/** Binds a list as one array parameter of the given element type. */
export function arrayParam(values: readonly (string | number)[], type: 'int' | 'text'): SQL {
  return sql`${sql.param([...values])}::${sql.raw(type)}[]`;
}

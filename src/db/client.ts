// Opens the registry's database: embedded PGlite by default, PostgreSQL when a URL is given.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger, SQL } from 'drizzle-orm';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Listens on a PostgreSQL channel; `onReconnect` fires after a dropped connection is back. */
export interface ChannelListener {
  listen(channel: string, onMessage: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
}

export interface RegistryDatabase {
  kind: 'pglite' | 'postgres';
  db: Db;
  channels: ChannelListener;
  /** A handle on the same connections that counts every statement run through it into `tally`: one per request. */
  counting(tally: StatementTally): Db;
  /** Sees every statement run through a counting handle, with its parameters (tests capture an operation's SQL with it). */
  onStatement?: (sql: string, params: unknown[]) => void;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws; its
   * statements count into `tally`. `last`, given work's value, may name one more statement that
   * goes out with COMMIT (in one round trip, once the connection has prepared it); its rows come
   * back beside the value.
   */
  transaction<T, R = never>(work: (tx: Db) => Promise<T>, options?: TransactionOptions<T>): Promise<{ value: T; rows: R[] }>;
  /** Lightweight liveness probe for /ready. */
  ping(): Promise<void>;
  /** Embedded PGlite only: its data directory as a tarball, which `pgliteDump` can start from. */
  dumpPglite?(): Promise<Blob>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface TransactionOptions<T> {
  tally?: StatementTally;
  last?: (value: T) => SQL | null;
}

/** The SQL statements one request ran (read by the GraphQL layer per operation). */
export interface StatementTally {
  statements: number;
}

/**
 * A logger per request rather than one looking the request up in an AsyncLocalStorage: on Node 20
 * an active AsyncLocalStorage hooks every promise, which costs a nested page about a tenth of its time.
 */
function tallyLogger(database: RegistryDatabase, tally: StatementTally): Logger {
  return {
    logQuery(query, params) {
      tally.statements += 1;
      database.onStatement?.(query, params);
    },
  };
}

export interface OpenOptions {
  /** postgres:// URL; when absent the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite's directory; absent means in memory. */
  dataDir?: string;
  /** A PGlite data directory dump (`dumpDataDir()`) to start from instead of an empty cluster. */
  pgliteDump?: Blob;
  poolSize?: number;
  /** Named statements, parsed once per connection (DB_PREPARED_STATEMENTS); off behind a pooler that cannot keep them. */
  preparedStatements?: boolean;
  migrate?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<RegistryDatabase> {
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl, options.poolSize ?? 10, options.preparedStatements ?? true) : await openPglite(options.dataDir, options.pgliteDump);
  // A newer build's schema is refused before anything, migrations included, touches it.
  const { assertNotNewer } = await import('./migrations.js');
  await assertNotNewer(database.db);
  if (options.migrate !== false) await database.migrate();
  return database;
}

async function openPglite(dataDir?: string, dump?: Blob): Promise<RegistryDatabase & { migrate(): Promise<void> }> {
  // Loaded only when used: PGlite's modules add about 50 MB to a server that runs on PostgreSQL.
  const [{ PGlite }, { pg_trgm }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir, extensions: { pg_trgm }, loadDataDir: dump });
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  const database: RegistryDatabase & { migrate(): Promise<void> } = {
    kind: 'pglite',
    db,
    counting: (tally) => drizzlePglite({ client, logger: tallyLogger(database, tally) }) as unknown as Db,
    // One process owns the database: no round trips to save, the last statement simply runs last.
    transaction: (work, options = {}) =>
      (options.tally ? database.counting(options.tally) : db).transaction(async (tx) => {
        const value = await work(tx as unknown as Db);
        const last = options.last?.(value);
        return { value, rows: last ? rowsOf(await tx.execute(last)) : [] };
      }),
    // One process owns a PGlite database, so its LISTEN/NOTIFY never drops.
    channels: {
      async listen(channel, onMessage) {
        const unlisten = await client.listen(channel, onMessage);
        return unlisten;
      },
      async notify(channel, payload) {
        await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
      },
    },
    ping: async () => void (await client.query('SELECT 1')),
    dumpPglite: () => client.dumpDataDir('none'),
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: () => client.close(),
  };
  return database;
}

/**
 * Seconds before a closed connection may connect again. postgres.js counts every connection
 * PostgreSQL ends (a restart or failover ends them all) toward one pool-wide count, and its own
 * backoff grows as 3^count to 20 s: after a failover, requests would wait that long for a
 * connection. Capped at 1 s, with jitter so reconnects do not arrive together.
 */
function reconnectDelay(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

async function openPostgres(url: string, poolSize: number, prepare: boolean): Promise<RegistryDatabase & { migrate(): Promise<void> }> {
  // Without `prepare`, postgres.js's own statements (pings, NOTIFY) are unnamed too.
  const pool = postgres(url, { max: poolSize, onnotice: () => {}, prepare, backoff: reconnectDelay });
  const client = prepare ? preparingStatements(pool) : pool;
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  // A dedicated connection for LISTEN: postgres.js re-listens after a reconnect and calls onlisten again.
  const listener = postgres(url, { max: 1, onnotice: () => {}, backoff: reconnectDelay });
  const database: RegistryDatabase & { migrate(): Promise<void> } = {
    kind: 'postgres',
    db,
    counting: (tally) => drizzlePostgres({ client, logger: tallyLogger(database, tally) }) as unknown as Db,
    transaction: (work, options = {}) => transactionOn(pool, prepare, work, options.last, options.tally && tallyLogger(database, options.tally)),
    channels: {
      async listen(channel, onMessage, onReconnect) {
        let first = true;
        const sub = await listener.listen(channel, onMessage, () => {
          if (!first) onReconnect();
          first = false;
        });
        return () => sub.unlisten();
      },
      async notify(channel, payload) {
        await client.notify(channel, payload);
      },
    },
    ping: async () => void (await client`SELECT 1`),
    async migrate() {
      // Several instances may start at once against one database: migrate one at a time.
      const lock = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lock`SELECT pg_advisory_lock(738291)`;
        await migratePostgres(db as never, { migrationsFolder });
      } finally {
        await lock.end({ timeout: 5 }); // ending the session releases the lock
      }
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), listener.end({ timeout: 5 })]);
    },
  };
  return database;
}

/**
 * A transaction on a connection of its own, begun without a round trip: BEGIN is not awaited, so
 * it goes out in one write with the change's first statement (postgres.js's begin() waits for it).
 * The last statement goes out with COMMIT, also without a round trip between them (postgres.js
 * describes a statement new to the connection first, and COMMIT waits for that): COMMIT is queued
 * as soon as drizzle has handed the statement to the connection. (postgres.js, patched, no longer
 * re-sends a statement whose cached plan went stale inside a transaction block: it would run
 * after the COMMIT.)
 */
async function transactionOn<T, R>(
  pool: postgres.Sql,
  prepare: boolean,
  work: (tx: Db) => Promise<T>,
  lastOf: ((value: T) => SQL | null) | undefined,
  logger?: Logger,
): Promise<{ value: T; rows: R[] }> {
  const reserved = await pool.reserve();
  try {
    let handOver: ((query: postgres.PendingQuery<postgres.Row[]>, text: string) => void) | null = null;
    let commit: Promise<{ command: string }> | null = null;
    // drizzle sets its type parsers on the client's options, which a reserved connection shares with its pool but does not expose.
    const connection = Object.assign(prepare ? preparingStatements(reserved) : reserved, { options: pool.options });
    const tx = drizzlePostgres({ client: watchingQueries(connection, (query, text) => handOver?.(query, text)), logger }) as unknown as Db;
    // BEGIN does not fail on a healthy idle connection, and on a broken one every later statement
    // fails too; its own outcome is still awaited before COMMIT.
    const begun = connection.unsafe('BEGIN');
    begun.catch(() => {});
    let value: T;
    try {
      value = await work(tx);
      await begun;
      const statement = lastOf?.(value);
      if (statement) {
        // Through drizzle, so that it is counted and traced like the others. It reaches postgres.js
        // a few ticks after execute(); that query (known by its text) is queued there at once, then
        // COMMIT behind it.
        const text = dialect.sqlToQuery(statement).sql;
        const handed = new Promise<void>((resolve) => {
          handOver = (query, sent) => {
            if (sent !== text) return;
            handOver = null;
            query.execute();
            resolve();
          };
        });
        const last = Promise.resolve(tx.execute(statement));
        last.catch(() => {});
        await Promise.race([handed, last]);
        commit = connection.unsafe('COMMIT').execute();
        commit.catch(() => {});
        const rows = rowsOf<R>(await last);
        await expectCommitted(commit);
        return { value, rows };
      }
    } catch (error) {
      if (commit) throw await endedBy(commit, error); // the transaction has ended: no ROLLBACK to send
      await connection.unsafe('ROLLBACK').catch(() => {});
      throw error;
    }
    await expectCommitted(connection.unsafe('COMMIT'));
    return { value, rows: [] };
  } finally {
    reserved.release();
  }
}

const dialect = new PgDialect();

/**
 * The error to report once COMMIT was queued behind the last statement. A statement PostgreSQL ran
 * and refused aborts the transaction; one that failed before it was sent leaves COMMIT to commit.
 */
async function endedBy(commit: Promise<{ command: string }>, error: unknown): Promise<unknown> {
  const answer = await commit.catch(() => null);
  return answer?.command === 'COMMIT' ? new Error('The change committed, but its last statement was never sent', { cause: error }) : error;
}

/** The same client, calling `onQuery` with each query, and its text, as it is created. */
function watchingQueries(sql: postgres.Sql, onQuery: (query: postgres.PendingQuery<postgres.Row[]>, text: string) => void): postgres.Sql {
  return new Proxy(sql, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== 'unsafe') return value;
      return (...args: Parameters<postgres.Sql['unsafe']>) => {
        const query = (value as postgres.Sql['unsafe']).apply(target, args);
        onQuery(query, args[0]);
        return query;
      };
    },
  });
}

/** A transaction that a statement left unawaited aborted answers COMMIT with ROLLBACK, not an error. */
async function expectCommitted(commit: Promise<{ command: string }>): Promise<void> {
  const committed = await commit;
  if (committed.command !== 'COMMIT') throw new Error(`The transaction was rolled back (COMMIT answered ${committed.command})`);
}

/**
 * drizzle runs every statement unnamed, and postgres.js then spends two round trips on each one
 * with parameters (describe, then bind). Named statements are parsed once per connection and run
 * in one round trip; the registry's statement texts come in a bounded set of shapes (lists are
 * array parameters), so postgres.js's per-connection cache of them stays small.
 */
function preparingStatements(sql: postgres.Sql): postgres.Sql {
  const unsafe = sql.unsafe;
  const begin = sql.begin;
  const savepoint = (sql as unknown as { savepoint?: (...args: unknown[]) => unknown }).savepoint;
  return new Proxy(sql, {
    get(target, name, receiver) {
      if (name === 'unsafe') return (text: string, args?: unknown[], options?: object) => unsafe.call(target, text, args as never, { ...options, prepare: true });
      if (name === 'begin') return (...args: unknown[]) => wrapScoped(begin as never, target, args);
      if (name === 'savepoint' && savepoint) return (...args: unknown[]) => wrapScoped(savepoint as never, target, args);
      return Reflect.get(target, name, receiver);
    },
  });
}

/** begin/savepoint hand their callback a scoped client: prepare its statements too. */
function wrapScoped(method: (...args: unknown[]) => unknown, target: postgres.Sql, args: unknown[]) {
  const at = args.findIndex((a) => typeof a === 'function');
  const fn = args[at] as (sql: postgres.Sql) => unknown;
  const wrapped = [...args];
  wrapped[at] = (scoped: postgres.Sql) => fn(preparingStatements(scoped));
  return method.apply(target, wrapped);
}

/** Rows of a raw `db.execute(sql...)`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

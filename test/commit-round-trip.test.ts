// A change's last statement (its events) goes out with COMMIT in one round trip. That is safe only
// because the patched postgres.js no longer re-sends, inside a transaction block, a statement whose
// cached plan went stale: the copy would run after the COMMIT, on its own. Checked on the driver.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from './support/databases.js';

const kinds = databaseKinds.filter((kind) => kind === 'postgres');
if (kinds.length === 0) it.skip('needs PostgreSQL: set TEST_DATABASE_URL', () => {});

describe.each(kinds)('a statement pipelined with COMMIT (%s)', () => {
  let owner: TestDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    owner = await createTestDatabase('postgres');
    sql = postgres(owner.url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    await owner.drop();
  });

  // A pooler's DEALLOCATE ALL, and another instance's migration changing the result type.
  const staleBy = {
    'the statement was deallocated': (reserved: postgres.ReservedSql) => reserved.unsafe('DEALLOCATE ALL'),
    'a migration changed its result type': async () => {
      const other = postgres(owner.url!, { max: 1, onnotice: () => {} });
      await other.unsafe('ALTER TABLE pipelined ADD COLUMN note text');
      await other.end();
    },
  };
  for (const [how, makeStale] of Object.entries(staleBy)) {
    it(`fails with its transaction when ${how}, is not run again after the COMMIT, and works in the next one`, async () => {
      await sql.unsafe('DROP TABLE IF EXISTS pipelined; CREATE TABLE pipelined (id int)');
      const insert = 'INSERT INTO pipelined (id) SELECT $1::int RETURNING *';
      await sql.unsafe(insert, [1], { prepare: true }); // named, and cached on the connection
      const reserved = await sql.reserve();
      try {
        await makeStale(reserved);
        await reserved.unsafe('BEGIN');
        const stale = reserved.unsafe(insert, [2], { prepare: true }).execute();
        const commit = reserved.unsafe('COMMIT').execute();
        await expect(stale).rejects.toThrow(/does not exist|cached plan must not change result type/);
        expect((await commit).command).toBe('ROLLBACK');
        // Unpatched, the driver re-sent the insert after the COMMIT, and it ran on its own.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await reserved`SELECT id FROM pipelined`).map((row) => row.id)).toEqual([1]);
        // The stale statement was forgotten: the next transaction on this connection prepares it again.
        await reserved.unsafe('BEGIN');
        const again = reserved.unsafe(insert, [3], { prepare: true }).execute();
        const committed = reserved.unsafe('COMMIT').execute();
        expect((await again).map((row) => row.id)).toEqual([3]);
        expect((await committed).command).toBe('COMMIT');
      } finally {
        reserved.release();
      }
    });
  }
});

// Log lines are structured JSON (one per operation) and carry no SQL, stack or secret, even
// when the database fails under a request.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stdoutLogStream } from '../src/server/logging.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const ADMIN_TOKEN = 'log-safety-admin-secret-0123456789abcdef';

describe('log safety (pglite)', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry('pglite', { adminToken: ADMIN_TOKEN, logLevel: 'info' });
  });
  afterAll(() => r.stop());

  it('an internal failure is logged as one line with its kind and code, and masked for the client', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    await r.request(`mutation { createRegisteredModel(input: { name: "logged", tags: [{ key: "k", value: "v" }] }) { __typename } }`, undefined, auth);
    await r.app.database.db.execute(sql`DROP TABLE registered_model_tags`);
    const lines: string[] = [];
    // pino hands the stream one line per call; the stream batches them on their way to stdout.
    const spy = vi.spyOn(stdoutLogStream(), 'write').mockImplementation((line: string) => {
      lines.push(line);
      return true;
    });
    try {
      const res = await r.request(`{ registeredModels { edges { node { tags { key } } } } }`, undefined, auth);
      expect(res.errors?.[0].message).toBe('Unexpected error.');
      await r.request(`{ viewer { name } }`, undefined, { authorization: 'Bearer mr_wrong-secret-value' });
    } finally {
      spy.mockRestore();
    }
    const logged = lines.join('');
    expect(logged).toMatch(/"level":50/); // pino's error
    // One line per operation, without variables' values.
    const operations = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'operation');
    expect(operations).toHaveLength(1); // the bad token was refused with 401 before any operation ran
    expect(operations[0]).toMatchObject({ type: 'query', status: 'error', errorCodes: ['INTERNAL_SERVER_ERROR'], actor: 'admin' });
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logged).not.toMatch(/SELECT|registered_model_tags|relation|\bat .*\(|node_modules/);
    expect(logged).not.toContain(ADMIN_TOKEN);
    expect(logged).not.toContain('mr_wrong-secret-value');
  });
});

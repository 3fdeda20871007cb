// The GraphQL over HTTP spec's audit suite (graphql-http's serverAudits) against the live server,
// introspection on: every MUST and every SHOULD passes.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';

let r: TestRegistry;
let url: string;
const audits = serverAudits({ url: () => url, fetchFn: fetch });

describe('GraphQL over HTTP audits', () => {
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry('pglite', { exposeStatementCount: false }));
  });
  afterAll(() => r.stop());

  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result.status, `${audit.name}: ${JSON.stringify(result)}`).toBe('ok');
    });
  }
});

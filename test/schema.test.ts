// The served schema: the committed SDL is current and keeps the public contract.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSDL } from '../src/graphql/print.js';
import { startListeningRegistry } from './support/registry.js';

// The shared contract beside the project when it is there (as in CI); otherwise the copy in
// test/contract/, so a clone on its own still checks the contract.
const sharedCheck = new URL('../../shared/contract/check.mjs', import.meta.url).pathname;
const copiedCheck = new URL('./contract/check.mjs', import.meta.url).pathname;
const contractCheck = existsSync(sharedCheck) ? sharedCheck : copiedCheck;

function runCheck(target: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync('node', [contractCheck, target], { encoding: 'utf8' }) };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, output: e.stdout };
  }
}

describe('schema', () => {
  it('schema/schema.graphql is what the code prints (run `npm run schema` after changing types)', () => {
    expect(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8')).toBe(printSchemaSDL());
  });

  it.runIf(existsSync(sharedCheck))('the copy in test/contract/ is the shared contract', () => {
    for (const file of ['check.mjs', 'registry.graphql']) {
      expect(readFileSync(new URL(`./contract/${file}`, import.meta.url), 'utf8')).toBe(
        readFileSync(new URL(`../../shared/contract/${file}`, import.meta.url), 'utf8'),
      );
    }
  });

  it('the committed SDL keeps the contract', () => {
    const { code, output } = runCheck('schema/schema.graphql');
    expect(output).toContain('contract: kept');
    expect(code).toBe(0);
  });

  it('the running server keeps the contract (introspection over HTTP)', async () => {
    const { registry, url } = await startListeningRegistry('pglite');
    try {
      const result = await new Promise<{ code: number; output: string }>((resolve) => {
        // Asynchronous: the server answers in this process.
        import('node:child_process').then(({ execFile }) =>
          execFile('node', [contractCheck, url], { encoding: 'utf8' }, (error, stdout) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout }),
          ),
        );
      });
      expect(result.output).toContain('contract: kept');
      expect(result.code).toBe(0);
    } finally {
      await registry.stop();
    }
  });
});

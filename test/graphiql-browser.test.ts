// GraphiQL in a real browser (Debian's Chromium driven by playwright-core): it loads with no
// internet, runs a query and a mutation, and shows their results. A screenshot goes to
// test/artifacts/. Skipped only when Chromium is not installed (.ci/run installs it).
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
if (!installed) console.warn(`GraphiQL browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!installed)('GraphiQL in Chromium', () => {
  let r: TestRegistry;
  let url: string;
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry('pglite'));
  });
  afterAll(() => r.stop());

  it('runs a mutation and a query from the editor and shows the results', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const outside: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('request', (request) => {
        if (!/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:http:\/\/127\.0\.0\.1[:/])/.test(request.url())) outside.push(request.url());
      });
      // GraphiQL runs operations once it has the schema: wait for its introspection.
      const introspected = page.waitForResponse((res) => res.request().method() === 'POST' && (res.request().postData() ?? '').includes('__schema'), { timeout: 30_000 });
      await page.goto(url);
      await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
      await introspected;
      const run = async (operation: string, expected: string) => {
        // Replace the editor's text through its CodeMirror/Monaco-independent route: select all, type.
        const editor = page.locator('.graphiql-query-editor').first();
        await editor.click();
        await page.keyboard.press('Control+A');
        await page.keyboard.press('Delete');
        await page.keyboard.insertText(operation);
        await page.waitForTimeout(750); // GraphiQL reads the editor after a short debounce
        await page.locator('button[aria-label^="Execute query"]').first().click();
        // Monaco renders spaces as no-break spaces.
        await page.waitForFunction((text) => document.querySelector('.graphiql-response')?.textContent?.replace(/\u00a0/g, ' ').includes(text), expected, { timeout: 20_000 });
      };
      await run('mutation { registerModel(input: { name: "browser-model", source: "s3://b" }) { __typename ... on RegisterModelPayload { modelVersion { version } } } }', '"version": 1');
      await run('{ registeredModel(name: "browser-model") { name latestVersions { version stage } } }', '"stage": "NONE"');
      const response = (await page.locator('.graphiql-response').first().textContent())?.replace(/\u00a0/g, ' ');
      expect(response).toContain('"name": "browser-model"');
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: 'test/artifacts/graphiql.png', fullPage: true });
      expect(outside).toEqual([]);
    } catch (error) {
      mkdirSync('test/artifacts', { recursive: true });
      await (await browser.contexts()[0]?.pages()[0])?.screenshot({ path: 'test/artifacts/graphiql-failure.png', fullPage: true });
      throw error;
    } finally {
      await browser.close();
    }
  });
});

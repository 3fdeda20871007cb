// The typed client in examples/client: its generated files are what GraphQL Code Generator makes
// from schema/schema.graphql now, it type-checks (and the compiler refuses code that forgets an
// error member of a union), and its workflows run against a live registry over HTTP.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import codegenConfig from '../examples/client/codegen.js';
import { ListModelsDocument } from '../examples/client/generated/graphql.js';
import {
  createRegistryClient,
  getModel,
  GraphQLRequestError,
  listAllModels,
  main,
  promote,
  registerModel,
  transitionStage,
  type RegistryClient,
} from '../examples/client/registry-client.js';
import { startListeningRegistry } from './support/registry.js';
import type { TestRegistry } from './support/registry.js';

const exampleDir = fileURLToPath(new URL('../examples/client/', import.meta.url));
const generatedDir = path.join(exampleDir, 'generated');

describe('examples/client generated code', () => {
  it('is current: codegen from schema/schema.graphql and the operations gives the committed files', async () => {
    const outputs: { filename: string; content: string }[] = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const file = path.resolve(output.filename);
      expect(path.dirname(file)).toBe(generatedDir);
      const committed = readFileSync(file, 'utf8');
      expect(committed, `${path.relative(process.cwd(), file)} is stale: run npm run codegen:client`).toBe(output.content);
    }
    // No leftovers from removed operations or options.
    expect(readdirSync(generatedDir).sort()).toEqual(outputs.map((o) => path.basename(o.filename)).sort());
  });
});

describe('examples/client type-checks', () => {
  // A file that must not compile: each export forgets part of a result union.
  const probe = path.join(exampleDir, '__must_not_compile__.ts');
  const probeText = `
import { assertNever, match, type PromoteResult, type RegisterModelResult } from './registry-client.js';
declare const promoted: PromoteResult;
declare const registered: RegisterModelResult;
export const missingHandler = match(promoted, {
  TransitionModelVersionStagePayload: () => 1,
  InvalidInputError: () => 2,
  NotFoundError: () => 3,
  PermissionDeniedError: () => 4,
});
export function missingCase() {
  switch (registered.__typename) {
    case 'RegisterModelPayload': return 1;
    case 'InvalidInputError': return 2;
    default: return assertNever(registered);
  }
}
export const unnarrowed = registered.modelVersion;
`;

  it('with tsc -p examples/client: no errors, and forgetting an error member is a compile error', () => {
    const configPath = path.join(exampleDir, 'tsconfig.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!parsed) throw new Error('cannot read examples/client/tsconfig.json');
    expect(parsed.errors).toEqual([]);
    expect(parsed.fileNames.map((f) => path.relative(exampleDir, f)).sort()).toEqual(
      expect.arrayContaining(['registry-client.ts', 'cli.ts', 'codegen.ts', path.join('generated', 'graphql.ts')]),
    );

    const host = ts.createCompilerHost(parsed.options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (f) => f === probe || fileExists.call(host, f);
    host.readFile = (f) => (f === probe ? probeText : readFile.call(host, f));
    host.getSourceFile = (f, language, ...rest) =>
      f === probe ? ts.createSourceFile(f, probeText, language) : getSourceFile.call(host, f, language, ...rest);
    const program = ts.createProgram({ rootNames: [...parsed.fileNames, probe], options: parsed.options, host });

    const format = (d: ts.Diagnostic) => {
      const where = d.file ? `${path.relative(exampleDir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    };
    const diagnostics = ts.getPreEmitDiagnostics(program).map(format);
    const exampleErrors = diagnostics.filter((d) => !d.startsWith('__must_not_compile__'));
    expect(exampleErrors).toEqual([]);

    const probeErrors = diagnostics.filter((d) => d.startsWith('__must_not_compile__'));
    const line = (needle: string) => probeText.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(probeErrors).toHaveLength(3);
    // The handler for PreconditionFailedError is missing.
    expect(probeErrors.find((d) => d.includes(`:${line('match(promoted')} `))).toMatch(/PreconditionFailedError/);
    // The switch does not handle PermissionDeniedError, so it reaches assertNever.
    expect(probeErrors.find((d) => d.includes(`:${line('assertNever(registered)')} `))).toMatch(/PermissionDeniedError.*never/);
    // The payload's fields are not there before narrowing by __typename.
    expect(probeErrors.find((d) => d.includes(`:${line('registered.modelVersion')} `))).toMatch(/modelVersion/);
  });
});

describe('examples/client against a live registry (pglite)', () => {
  let registry: TestRegistry;
  let url: string;
  let client: RegistryClient;

  beforeAll(async () => {
    ({ registry, url } = await startListeningRegistry('pglite'));
    client = createRegistryClient({ url });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('main() runs the workflows: invalid input, promotion refused on accuracy, then promoted', async () => {
    const lines: string[] = [];
    const summary = await main({ url, model: 'fraud-detector', log: (l) => lines.push(l) });

    expect(summary.registered).toEqual([1, 2]);
    expect(summary.invalidInput).toMatchObject({
      __typename: 'InvalidInputError',
      code: 'INVALID_PARAMETER_VALUE',
      path: ['input', 'source'],
    });
    expect(summary.refused).toMatchObject({ __typename: 'PreconditionFailedError', code: 'PRECONDITION_FAILED' });
    expect(summary.refused.message).toMatch(/accuracy/);
    expect(summary.archivedOnStaging).toEqual([1]);
    expect(summary.promoted.modelVersion).toEqual({ name: 'fraud-detector', version: 2, stage: 'PRODUCTION' });
    expect(summary.promoted.transitions).toMatchObject([{ version: 2, fromStage: 'STAGING', toStage: 'PRODUCTION' }]);
    // One per stage, in the order of the Stage enum's declaration (NONE, STAGING, PRODUCTION, ARCHIVED).
    expect(summary.latest.map((v) => [v.version, v.stage])).toEqual([
      [2, 'PRODUCTION'],
      [1, 'ARCHIVED'],
    ]);
    expect(summary.latest[0]).toMatchObject({ source: 's3://models/fraud-detector/strong', runId: 'run-strong', metrics: [{ key: 'accuracy', value: 0.95 }] });
    expect(summary.models).toEqual({ totalCount: 1, pages: 1, names: ['fraud-detector'] });
    expect(lines.join('\n')).toMatch(/PreconditionFailedError PRECONDITION_FAILED/);

    // The same reads through the server's own view.
    const seen = await registry.gql(`{ registeredModel(name: "fraud-detector") { versions { edges { node { version stage } } } } }`);
    expect(seen.registeredModel.versions.edges.map((e: any) => e.node)).toEqual([
      { version: 2, stage: 'PRODUCTION' },
      { version: 1, stage: 'ARCHIVED' },
    ]);

    // Run again: it goes on with the numbers the registry hands out, and archives the old champion.
    const again = await main({ url, model: 'fraud-detector', log: () => {} });
    expect(again.registered).toEqual([3, 4]);
    expect(again.promoted.modelVersion).toMatchObject({ version: 4, stage: 'PRODUCTION' });
    expect(again.promoted.archivedVersions).toEqual([{ version: 2, stage: 'ARCHIVED' }]);
  });

  it('each workflow on its own: errors as typed members, paging across pages, GraphQL errors thrown', async () => {
    const name = 'churn-model';
    const v1 = await registerModel(client, { name, source: 's3://churn/1', metrics: [{ key: 'accuracy', value: 0.7 }] });
    expect(v1).toMatchObject({ ok: true, value: { name, version: 1, stage: 'NONE' } });

    const missing = await transitionStage(client, { name, version: 9, stage: 'STAGING' });
    expect(missing).toMatchObject({ ok: false, error: { __typename: 'NotFoundError', code: 'RESOURCE_DOES_NOT_EXIST' } });

    const locked = await transitionStage(client, { name, version: 1, stage: 'STAGING', expectedStage: 'PRODUCTION' });
    expect(locked).toMatchObject({ ok: false, error: { __typename: 'PreconditionFailedError' } });

    const nothingStaged = await promote(client, { name, fromStage: 'STAGING', toStage: 'PRODUCTION' });
    expect(nothingStaged).toMatchObject({ ok: false, error: { __typename: 'PreconditionFailedError' } });

    expect(await transitionStage(client, { name, version: 1, stage: 'STAGING' })).toMatchObject({ ok: true });
    const tooWeak = await promote(client, {
      name,
      fromStage: 'STAGING',
      toStage: 'PRODUCTION',
      requirements: [{ metric: 'accuracy', op: 'GTE', value: 0.8 }],
    });
    expect(tooWeak).toMatchObject({ ok: false, error: { __typename: 'PreconditionFailedError', code: 'PRECONDITION_FAILED' } });
    const lenient = await promote(client, {
      name,
      fromStage: 'STAGING',
      toStage: 'PRODUCTION',
      requirements: [{ metric: 'accuracy', op: 'GTE', value: 0.7 }],
    });
    expect(lenient).toMatchObject({ ok: true, value: { modelVersion: { version: 1, stage: 'PRODUCTION' } } });

    expect((await getModel(client, name, ['PRODUCTION']))?.latestVersions.map((v) => v.version)).toEqual([1]);
    expect(await getModel(client, 'no-such-model')).toBeNull();

    for (const extra of ['a-model', 'b-model', 'c-model']) {
      expect(await registerModel(client, { name: extra, source: `s3://${extra}/1` })).toMatchObject({ ok: true });
    }
    const listed = await listAllModels(client, 2);
    expect(listed.totalCount).toBe(5);
    expect(listed.pages).toBe(3);
    expect(listed.models.map((m) => m.name)).toEqual(['a-model', 'b-model', 'c-model', 'churn-model', 'fraud-detector']);

    // A refused request (page size above 1000) is a thrown GraphQLRequestError, not data.
    const refused = await client.request(ListModelsDocument, { first: 5000 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(GraphQLRequestError);
    expect(refused).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
  });
});

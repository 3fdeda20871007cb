// OpenTelemetry tracing against a fake OTLP/HTTP collector: a span per operation, a child span per
// SQL statement with its text and none of its values; and with OTEL_EXPORTER_OTLP_ENDPOINT unset,
// none of OpenTelemetry's SDK loaded and nothing sent.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, migratedDataDir } from './support/databases.js';
import { startRegistry } from './support/registry.js';
import { subscribeSSE } from './support/subscriptions.js';

type Value = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
interface Attribute { key: string; value: Value }
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Attribute[];
  events?: { name: string; attributes: Attribute[] }[];
  status?: { code?: number };
  service: string | undefined;
}

const attribute = (attributes: Attribute[] | undefined, key: string) => attributes?.find((a) => a.key === key)?.value.stringValue;

/** An OTLP/HTTP collector on a free port that keeps what it is sent (JSON, as the exporter sends it). */
async function startCollector() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
      res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    spans(): ExportedSpan[] {
      return bodies.flatMap((body) =>
        (JSON.parse(body).resourceSpans ?? []).flatMap((rs: { resource?: { attributes: Attribute[] }; scopeSpans: { spans: ExportedSpan[] }[] }) =>
          rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ ...span, service: attribute(rs.resource?.attributes, 'service.name') }))),
        ),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe.each(databaseKinds)('tracing on %s', (kind) => {
  it('exports one span per operation, its SQL statements as children, and no values', async () => {
    const collector = await startCollector();
    cleanup.push(() => collector.close());
    const registry = await startRegistry(kind, { tracing: { endpoint: collector.url, serviceName: 'registry-under-test' } });
    let stopped = false;
    cleanup.push(() => (stopped ? Promise.resolve() : registry.stop()));
    // A value that must reach no span: a model name, sent only as a variable.
    const secret = 'model-6f1d-not-for-traces';

    const registered = await registry.request(
      `mutation Register($input: RegisterModelInput!) { registerModel(input: $input) { __typename ... on RegisterModelPayload { modelVersion { version } } } }`,
      { input: { name: secret, source: `s3://bucket/${secret}` } },
    );
    expect(registered.data.registerModel.__typename).toBe('RegisterModelPayload');
    const sse = await subscribeSSE((url, init) => registry.app.yoga.fetch(url, init), 'http://registry/graphql', `subscription Watch { stageChanged { version toStage } }`);
    const moved = await registry.request(
      `mutation Move($input: TransitionModelVersionStageInput!) { transitionModelVersionStage(input: $input) { __typename } }`,
      { input: { name: secret, version: 1, stage: 'STAGING' } },
    );
    expect(moved.data.transitionModelVersionStage.__typename).toBe('TransitionModelVersionStagePayload');
    expect(await sse.next()).toEqual({ stageChanged: { version: 1, toStage: 'STAGING' } });
    await sse.close();
    const listed = await registry.request(`query List($first: Int!) { registeredModels(first: $first) { edges { node { name versions(first: 5) { edges { node { version source } } } } } } }`, {
      first: 10,
    });
    expect(listed.data.registeredModels.edges[0].node.name).toBe(secret);
    // A caller's W3C traceparent puts the operation in the caller's trace.
    const [callerTrace, callerSpan] = ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'];
    const joined = await registry.request(`query Joined($name: String!) { registeredModel(name: $name) { name } }`, { name: secret }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(joined.data.registeredModel.name).toBe(secret);
    // graphql-js quotes a refused variable's value in its error message.
    const refused = await registry.request(`query Refused($first: Int!) { registeredModels(first: $first) { totalCount } }`, { first: secret });
    expect(JSON.stringify(refused.errors)).toContain(secret);

    await registry.stop(); // exports what is buffered
    stopped = true;
    const spans = collector.spans();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['registry-under-test']));
    for (const body of collector.bodies) expect(body).not.toContain(secret);

    const operations = spans.filter((s) => attribute(s.attributes, 'graphql.execute.operationName') !== undefined);
    expect(operations.map((s) => s.name).sort()).toEqual(['mutation.Move', 'mutation.Register', 'query.Joined', 'query.List', 'query.Refused', 'subscription.Watch']);
    const operation = (name: string) => operations.find((s) => s.name === name)!;
    const statements = spans.filter((s) => attribute(s.attributes, 'db.system') === 'postgresql');
    for (const statement of statements) {
      const parent = operations.find((o) => o.spanId === statement.parentSpanId);
      expect(parent, `parent of ${statement.name}`).toBeDefined();
      expect(statement.traceId).toBe(parent!.traceId);
      expect(attribute(statement.attributes, 'db.statement')).toMatch(/^(select|insert|update|delete|with)\b/i);
    }
    // Every statement the operation ran, the ones its statement counter counted. The event hub's
    // reads and announcements after a commit run in the hub's own context, under no operation.
    for (const [name, response] of [['mutation.Register', registered], ['mutation.Move', moved], ['query.List', listed]] as const) {
      const children = statements.filter((s) => s.parentSpanId === operation(name).spanId);
      expect(children.length, name).toBeGreaterThan(0);
      expect(children.length, name).toBe(response.extensions?.sqlStatements);
    }
    expect(statements.some((s) => /\$1/.test(attribute(s.attributes, 'db.statement')!))).toBe(true); // placeholders, not values

    expect(operation('query.Joined')).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan });
    for (const root of operations.filter((s) => s.name !== 'query.Joined')) expect(root.parentSpanId || undefined).toBeUndefined();
    const failed = operation('query.Refused');
    expect(failed.status?.code).toBe(2); // ERROR
    expect(failed.events?.map((e) => attribute(e.attributes, 'exception.message'))).toEqual([expect.stringMatching(/^[A-Z_, ]+$/)]);
  });
});

/** `npm start` with NODE_DEBUG=esm: stderr then names every ES module the process loads. */
async function serveOnce(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', DATA_DIR: migratedDataDir(), NODE_DEBUG: 'esm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const stderr: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Ping { registeredModels(first: 1) { totalCount } }' }) });
  expect(response.status).toBe(200);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return Buffer.concat(stderr).toString('utf8');
}

const loadedTracing = (modules: string) => [...new Set(modules.match(/node_modules\/@(opentelemetry\/(?!api\/)[\w-]+|envelop\/opentelemetry)|src\/server\/tracing\.ts/g) ?? [])];

describe('the server process', () => {
  it('with OTEL_EXPORTER_OTLP_ENDPOINT unset loads none of OpenTelemetry and sends nothing; set, it exports', async () => {
    const collector = await startCollector();
    cleanup.push(() => collector.close());

    const off = await serveOnce({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: 'registry-off' });
    expect(off).toMatch(/Translating StandardModule file:\/\/\/.*src\/server\/app\.ts/); // the log does list modules
    expect(loadedTracing(off)).toEqual([]);
    expect(collector.bodies).toEqual([]);

    const on = await serveOnce({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'registry-on' });
    expect(loadedTracing(on)).toEqual(expect.arrayContaining(['src/server/tracing.ts', 'node_modules/@envelop/opentelemetry', 'node_modules/@opentelemetry/sdk-trace-base']));
    const spans = collector.spans();
    expect(spans.find((s) => s.name === 'query.Ping')).toMatchObject({ service: 'registry-on' });
    expect(spans.some((s) => attribute(s.attributes, 'db.system') === 'postgresql')).toBe(true);
  });
});

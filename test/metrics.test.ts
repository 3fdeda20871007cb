// Prometheus metrics at /metrics, read as a scraper would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, createVersion, transition } from './support/ops.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';
import { subscribeSSE, subscribeWS } from './support/subscriptions.js';

describe('metrics (pglite)', () => {
  let r: TestRegistry;
  let url: string;
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry('pglite'));
  });
  afterAll(() => r.stop());

  const scrape = async () => (await fetch(url.replace('/graphql', '/metrics'))).text();
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' ') || l.startsWith(series + '{') && l.split(' ')[0] === series);
    return line ? Number(line.split(' ').at(-1)) : undefined;
  };

  it('reports operations, SQL statements, errors by code, subscriptions by transport, events delivered and event lag', async () => {
    await createModel(r, 'metered');
    await createVersion(r, 'metered');
    await r.request(`query ListModels { registeredModels(first: 5) { edges { node { name versions { edges { node { version } } } } } } }`);
    await r.request(`{ registeredModels(first: 5000) { totalCount } }`);
    const query = `subscription { stageChanged(name: "metered") { version } }`;
    const sse = await subscribeSSE(fetch, url, query);
    const ws = await subscribeWS(url.replace('http', 'ws'), query);
    await transition(r, { name: 'metered', version: 1, stage: 'STAGING' });
    await sse.next();
    await ws.next();

    const text = await scrape();
    expect(text).toMatch(/graphql_envelop_request_duration_bucket\{[^}]*operationName="ListModels"/);
    expect(text).toMatch(/graphql_yoga_http_duration_bucket/);
    expect(value(text, 'registry_sql_statements_per_request_count')).toBeGreaterThanOrEqual(4);
    expect(value(text, 'registry_graphql_errors_total{code="BAD_USER_INPUT"}')).toBe(1);
    expect(value(text, 'registry_open_subscriptions{transport="sse"}')).toBe(1);
    expect(value(text, 'registry_open_subscriptions{transport="ws"}')).toBe(1);
    expect(value(text, 'registry_open_websockets')).toBe(1);
    expect(value(text, 'registry_events_delivered_total')).toBe(2);
    expect(value(text, 'registry_event_lag')).toBe(0);
    await sse.close();
    await ws.close();
  });
});

describe('metrics with METRICS_RESOLVER_TIMING (pglite)', () => {
  it('adds a latency histogram per resolver, labelled by type and field', async () => {
    const { registry, url } = await startListeningRegistry('pglite', { metricsResolverTiming: true });
    try {
      await createModel(registry, 'timed');
      await registry.request(`query Timed { registeredModel(name: "timed") { name tags { key } } }`);
      const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      expect(text).toMatch(/graphql_envelop_execute_resolver_bucket\{[^}]*fieldName="registeredModel"/);
      expect(text).toMatch(/graphql_envelop_execute_resolver_bucket\{[^}]*fieldName="tags"[^}]*typeName="RegisteredModel"/);
    } finally {
      await registry.stop();
    }
  });
});

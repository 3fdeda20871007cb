// A subscriber that stops reading gets a bounded buffer, then an error naming the cursor to
// resume from; resuming there misses nothing.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { createModel } from './support/ops.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';
import { subscribeSSE, subscribeWS } from './support/subscriptions.js';

const EVENTS = `subscription($after: String) { registryEvents(names: ["slow"], after: $after) { cursor type } }`;
// About 60 KB an event, so a few hundred events outgrow even loopback's large socket buffers.
const EVENTS_WITH_PAYLOAD = `subscription { registryEvents(names: ["slow"]) { cursor type ${Array.from({ length: 12 }, (_, i) => `m${i}: registeredModel { description }`).join(' ')} } }`;
const LIMIT = 20;

describe.each(databaseKinds)('slow consumers (%s)', (kind) => {
  let r: TestRegistry;
  let url: string;
  beforeAll(async () => {
    ({ registry: r, url } = await startListeningRegistry(kind, { eventBufferLimit: LIMIT }));
    await createModel(r, 'slow', { description: 'x'.repeat(5000) });
  });
  afterAll(() => r.stop());

  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await r.gql(`mutation($v: String!) { setRegisteredModelTag(input: { name: "slow", key: "k", value: $v }) { __typename } }`, { v: String(i) });
    }
  };

  it('over SSE: a stalled reader is ended with a resume cursor, and resuming there misses nothing', async () => {
    const total = 300;
    // A real socket whose reader stops: once the socket buffers fill, the server's buffer fills.
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
    request.end(JSON.stringify({ query: EVENTS_WITH_PAYLOAD }));
    const response: http.IncomingMessage = await new Promise((resolve) => request.on('response', resolve));
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await burst(total);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (text += chunk));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));

    const payloads = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: next'))
      .map((block) => JSON.parse(block.slice(block.indexOf('data:') + 5)));
    const received = payloads.filter((p) => p.data).map((p) => p.data.registryEvents.cursor as string);
    const error = payloads.find((p) => p.errors)?.errors[0];
    expect(error?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
    expect(error.message).toContain(`more than ${LIMIT} events`);
    expect(received.length).toBeLessThan(total);
    expect(error.extensions.resumeAfter).toBe(received.at(-1));

    const resumed = await subscribeSSE(fetch, url, EVENTS, { after: error.extensions.resumeAfter });
    const rest = (await resumed.take(total - received.length, 20_000)).map((d) => d.registryEvents.cursor);
    expect(await resumed.quiet(200)).toBe(true);
    await resumed.close();
    expect(new Set([...received, ...rest]).size).toBe(total);
    expect(received.length + rest.length).toBe(total); // and no repeats at the resume
  });

  it('a subscriber that keeps up is never cut off by a small buffer (WebSocket)', async () => {
    // Three buffers' worth of events in bursts of half a buffer: the limit bounds what waits, not
    // what passes. (Back-to-back in-process mutations can outrun the server's own delivery of
    // events over a socket; then the subscriber is cut off with a resume cursor, as above.)
    const stream = await subscribeWS(url.replace('http', 'ws'), EVENTS);
    const cursors: string[] = [];
    for (let i = 0; i < 6; i++) {
      await burst(LIMIT / 2);
      cursors.push(...(await stream.take(LIMIT / 2, 20_000)).map((e) => e.registryEvents.cursor));
    }
    expect(new Set(cursors).size).toBe(LIMIT * 3);
    await stream.close();
  });
});

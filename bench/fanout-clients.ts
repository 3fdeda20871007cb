// The subscriber side of the fan-out benchmark, run as its own process (pinned to its own core):
// opens N subscriptions, half SSE and half WebSocket, and reports each event's receipt time.
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const query = `subscription { stageChanged(name: "fanout", stages: [PRODUCTION]) { cursor version } }`;
const now = () => performance.timeOrigin + performance.now();
const receipts = new Map<string, number[]>();
const record = (cursor: string) => {
  const list = receipts.get(cursor) ?? [];
  list.push(now());
  receipts.set(cursor, list);
};

function openSSE(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
    request.on('response', (response) => {
      response.setEncoding('utf8');
      let buffer = '';
      let started = false;
      response.on('data', (chunk: string) => {
        buffer += chunk;
        if (!started) {
          started = true;
          resolve();
        }
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const match = /"cursor":"([^"]+)"/.exec(block);
          if (match) record(match[1]);
        }
      });
    });
  });
}

function openWS(): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on: { connected: () => resolve(), error: reject } });
    client.subscribe<{ stageChanged: { cursor: string } }>(
      { query },
      { next: (result) => result.data && record(result.data.stageChanged.cursor), error: reject, complete: () => {} },
    );
  });
}

const half = Math.floor(count * Number(process.env.FANOUT_SSE_SHARE ?? 0.5));
// Opened in small groups so the server's accept queue is not the thing being measured.
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => (i + j < half ? openSSE() : openWS())));
}
process.send!({ type: 'ready', sse: half, ws: count - half });
process.on('message', (message: { type: string; cursor?: string }) => {
  if (message.type === 'receipts') {
    process.send!({ type: 'receipts', cursor: message.cursor, times: receipts.get(message.cursor!) ?? [] });
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});

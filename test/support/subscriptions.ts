// Subscription clients over the two real transports: GraphQL over SSE (fetch streaming, as
// curl -N would) and GraphQL over WebSocket (a graphql-ws client).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readServerSentEvents } from '../../src/hook/sse-client.js';

export interface EventStream<T = any> {
  /** The next payload's data; rejects on timeout, on a GraphQL error, or when the stream ends. */
  next(timeoutMs?: number): Promise<T>;
  /** The next `count` payloads. */
  take(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves true when nothing arrives within `ms`. */
  quiet(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A queue of results fed by a transport; readers wait on it. */
class Inbox<T> {
  private items: { value?: T; error?: unknown; done?: boolean }[] = [];
  private waiter: (() => void) | null = null;

  push(item: { value?: T; error?: unknown; done?: boolean }) {
    this.items.push(item);
    this.waiter?.();
    this.waiter = null;
  }

  async next(timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const item = this.items.shift()!;
    if (item.error) throw item.error instanceof Error ? item.error : new Error(JSON.stringify(item.error));
    if (item.done) {
      this.items.unshift(item); // stay ended
      throw new Error('stream ended');
    }
    return item.value as T;
  }

  async quiet(ms: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.items.length === 0;
  }
}

function streamOf<T>(inbox: Inbox<T>, close: () => Promise<void>): EventStream<T> {
  return {
    next: (timeoutMs = 10_000) => inbox.next(timeoutMs),
    async take(count, timeoutMs = 20_000) {
      const out: T[] = [];
      const deadline = Date.now() + timeoutMs;
      while (out.length < count) out.push(await inbox.next(Math.max(1, deadline - Date.now())));
      return out;
    },
    quiet: (ms) => inbox.quiet(ms),
    close,
  };
}

type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

/**
 * Subscribes over SSE; resolves once the server has accepted the subscription (first ping),
 * so events committed after this call returns are guaranteed to be in the stream.
 */
export async function subscribeSSE<T = any>(fetchFn: Fetch, url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<EventStream<T>> {
  const inbox = new Inbox<T>();
  const controller = new AbortController();
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`SSE subscribe failed: ${response.status} ${await response.text()}`);
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const body = response.body;
  void (async () => {
    try {
      for await (const message of readServerSentEvents(body, controller.signal)) {
        ready(); // the first keep-alive: the server has registered the subscription
        if (message.event === 'next' && message.data) {
          const payload = JSON.parse(message.data);
          if (payload.errors) inbox.push({ error: new Error(JSON.stringify(payload.errors)) });
          else inbox.push({ value: payload.data });
        } else if (message.event === 'complete') {
          inbox.push({ done: true });
        }
      }
      inbox.push({ done: true });
    } catch (error) {
      if (!controller.signal.aborted) inbox.push({ error });
    }
  })();
  await started;
  return streamOf(inbox, async () => controller.abort());
}

/** Subscribes over WebSocket (graphql-ws); resolves once the connection is acknowledged. */
export async function subscribeWS<T = any>(
  wsUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  connectionParams?: Record<string, unknown>,
): Promise<EventStream<T>> {
  const inbox = new Inbox<T>();
  let acked!: () => void;
  let refused!: (reason: Error) => void;
  const connected = new Promise<void>((resolve, reject) => ((acked = resolve), (refused = reject)));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // A refused connection rejects `connected` below; graphql-ws would also print it to stderr.
    onNonLazyError: () => {},
    connectionParams,
    on: {
      connected: () => acked(),
      closed: (event) => refused(new Error(`WebSocket closed: ${(event as { code?: number }).code} ${(event as { reason?: string }).reason}`)),
    },
  });
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) inbox.push({ error: new Error(JSON.stringify(result.errors)) });
        else inbox.push({ value: result.data as T });
      },
      error: (error) => inbox.push({ error: error instanceof Error ? error : new Error(`subscription error: ${(error as { code?: number }).code ?? ''}`) }),
      complete: () => inbox.push({ done: true }),
    },
  );
  await connected;
  // The subscribe message is sent right after the ack; give the server a moment to register it.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return streamOf(inbox, async () => {
    unsubscribe();
    await client.dispose();
  });
}

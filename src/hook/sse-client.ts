// A minimal GraphQL-over-SSE client (Yoga's "distinct connections" mode), on fetch alone.

export interface SseMessage {
  event: string;
  data: string;
}

/** Splits a text/event-stream body into messages; a keep-alive (comment only) is a `comment` message. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  // Cancelling the body is what ends the server's subscription, whether over a socket or in-process.
  signal?.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n').filter((line) => !line.startsWith(':'));
        if (lines.length === 0) {
          yield { event: 'comment', data: '' };
          continue;
        }
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        yield { event, data };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export class SubscriptionError extends Error {}

/** Runs one subscription; yields each result's data until the server completes it. */
export async function* subscribe<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): AsyncGenerator<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
    body: JSON.stringify({ query, variables }),
    signal: options.signal,
  });
  if (!response.ok || !response.body) {
    throw new SubscriptionError(`subscription refused: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`);
  }
  for await (const message of readServerSentEvents(response.body, options.signal)) {
    if (message.event === 'complete') return;
    if (message.event !== 'next') continue;
    const payload = JSON.parse(message.data) as { data?: T; errors?: { message: string }[] };
    if (payload.errors?.length) throw new SubscriptionError(payload.errors.map((e) => e.message).join('; '));
    if (payload.data) yield payload.data;
  }
  throw new SubscriptionError('the server closed the stream');
}

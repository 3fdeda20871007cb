// Admission of queries over HTTP: the queries running at once may cost QUERY_COST_IN_FLIGHT in
// all (cost as MAX_COST measures it), the rest wait their turn in arrival order, and past
// QUERY_QUEUE_LIMIT waiting a query is refused with 503.
//
// Why: a page holds its rows and result objects until its response is written. Fifty interleaved
// pages keep fifty results alive through every young-generation collection, which copies and
// promotes them again and again; run a few at a time, each finishes sooner and the others wait
// holding only their request. A query's turn ends once its response is built, not sent: a slow
// reader (or a pipelined request behind it) never holds the budget. Small queries (a model by
// name) weigh almost nothing and run at once, keeping the driver's batching of many requests per
// write. Only queries wait: a mutation spends its time on PostgreSQL (row locks, the commit),
// where holding it back would leave the commit queue idle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, getOperationAST, type GraphQLSchema, type OperationDefinitionNode, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { operationCost, pagesByVariable } from './limits.js';

export interface QueryAdmissionOptions {
  schema: GraphQLSchema;
  /** The cost of the queries running at once; 0 admits every query at once. */
  costInFlight: number;
  /** Queries that may wait; one more is refused with 503 SERVER_BUSY. */
  queueLimit: number;
  /** A body declared larger than this or ADMISSION_BODY_BYTES is not read here and never waits. */
  maxBodyBytes: number;
  /** The parse of a waiting query's text stops here, as the limits plugin's does. */
  maxTokens: number;
}

export interface QueryAdmission {
  /** Calls `handle` now, or when the request's turn comes (a query), or answers 503 itself. */
  admit(req: IncomingMessage, res: ServerResponse, handle: () => void): void;
  /** Ends a query's turn when Yoga has built its response (onResponse), before it is written. */
  plugin: Plugin;
  /** Queries running now. */
  readonly running: number;
  readonly waiting: number;
  /** Queries refused since start because too many were waiting. */
  readonly refused: number;
}

const OPERATION_CACHE_SIZE = 1000;
/** Waiting bodies are held in memory: a larger one (a query is a few KB) is handed on unread. */
const ADMISSION_BODY_BYTES = 64 * 1024;

/** Yoga answers a body that is not JSON (or GET variables that are not) with its own 400. */
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface Operation {
  document: DocumentNode;
  definition: OperationDefinitionNode;
  /** The cost when no variable sets a page size (the same for every request), else null. */
  fixedCost: number | null;
}

export function createQueryAdmission(options: QueryAdmissionOptions): QueryAdmission {
  let running = 0;
  let runningCost = 0;
  let refused = 0;
  const queue: { cost: number; start: () => void }[] = [];
  const operations = new Map<string, Operation | null>();

  /** The operation a request runs (parsed once per text): null when it does not parse or names no operation. */
  function operationOf(query: string, operationName: unknown): Operation | null {
    const name = typeof operationName === 'string' ? operationName : undefined;
    const key = name === undefined ? query : `${name}\u0000${query}`;
    let operation = operations.get(key);
    if (operation === undefined) {
      try {
        const document = parse(query, { noLocation: true, maxTokens: options.maxTokens });
        const definition = getOperationAST(document, name);
        operation = definition ? { document, definition, fixedCost: pagesByVariable(document) ? null : costOf(document, definition, {}) } : null;
      } catch {
        operation = null; // Yoga answers it with the parse error
      }
      if (operations.size >= OPERATION_CACHE_SIZE) operations.clear();
      operations.set(key, operation);
    }
    return operation;
  }

  function costOf(document: DocumentNode, definition: OperationDefinitionNode, variables: Record<string, unknown>): number {
    try {
      return operationCost(options.schema, document, definition, variables);
    } catch {
      return options.costInFlight; // unmeasurable (validation will say why): it runs alone
    }
  }

  /** A query's weight: its cost, but at most the whole budget, so that one over it still runs (alone). */
  function weightOf(operation: Operation | null, variables: unknown): number | null {
    if (operation?.definition.operation !== 'query') return null;
    const values = variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
    const cost = operation.fixedCost ?? costOf(operation.document, operation.definition, values);
    return Math.max(1, Math.min(options.costInFlight, cost));
  }

  const fits = (cost: number) => running === 0 || runningCost + cost <= options.costInFlight;

  /** Starts waiters in arrival order while they fit: a heavy query at the head is not overtaken by lighter ones. */
  function drain(): void {
    while (queue.length && fits(queue[0].cost)) queue.shift()!.start();
  }

  /** Ends the turn of a running query, found by its Node request. */
  const turns = new WeakMap<IncomingMessage, () => void>();

  function enqueue(req: IncomingMessage, res: ServerResponse, cost: number, handle: () => void): void {
    const runNow = queue.length === 0 && fits(cost);
    if (!runNow && queue.length >= options.queueLimit) {
      refused += 1;
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
      res.end(JSON.stringify({ errors: [{ message: 'The server is busy: too many queries are waiting. Retry shortly.', extensions: { code: 'SERVER_BUSY' } }] }));
      return;
    }
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    const end = () => {
      if (state !== 'running') return;
      state = 'done';
      running -= 1;
      runningCost -= cost;
      drain();
    };
    const waiter = {
      cost,
      start: () => {
        state = 'running';
        running += 1;
        runningCost += cost;
        turns.set(req, end);
        handle();
      },
    };
    // A client that leaves gives up its place; 'close' also ends a turn whose response was never built.
    res.once('close', () => {
      if (state !== 'waiting') return end();
      state = 'done';
      const at = queue.indexOf(waiter);
      if (at >= 0) queue.splice(at, 1);
      drain();
    });
    if (runNow) waiter.start();
    else queue.push(waiter);
  }

  /** Learns what the request runs: a query waits for its turn, anything else is handled now. */
  function admit(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
    if (options.costInFlight === 0) return handle();
    const path = req.url ?? '/';
    if (path !== '/graphql' && !path.startsWith('/graphql?')) return handle();
    const accept = req.headers.accept ?? '';
    // GraphiQL's page and event streams are not queries to wait for.
    if (accept.includes('text/html') || accept.includes('text/event-stream')) return handle();
    if (req.method === 'GET') {
      const url = new URL(path, 'http://registry');
      const query = url.searchParams.get('query');
      const weight = query ? weightOf(operationOf(query, url.searchParams.get('operationName')), parseJson(url.searchParams.get('variables'))) : null;
      return weight === null ? handle() : enqueue(req, res, weight, handle);
    }
    const length = Number(req.headers['content-length']);
    const json = /^application\/(graphql\+)?json\b/i.test(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || !json || !(length > 0 && length <= Math.min(options.maxBodyBytes, ADMISSION_BODY_BYTES))) return handle();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', () => {}); // the client went away: nothing to answer
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      const params = parseJson(body.toString('utf8'));
      // Yoga's Node adapter takes a body already read from req.body: the parsed object when it is
      // one (not parsed twice), else the bytes, for Yoga to refuse with its own message.
      const parsed = params !== null && typeof params === 'object' && !Array.isArray(params) && Object.keys(params).length > 0;
      (req as IncomingMessage & { body?: unknown }).body = parsed ? params : body;
      const { query, operationName, variables } = (parsed ? params : {}) as { query?: unknown; operationName?: unknown; variables?: unknown };
      const weight = typeof query === 'string' ? weightOf(operationOf(query, operationName), variables) : null;
      if (weight === null) handle();
      else enqueue(req, res, weight, handle);
    });
  }

  const plugin: Plugin = {
    onResponse({ serverContext }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (req) turns.get(req)?.();
    },
  };

  return {
    admit,
    plugin,
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    get refused() {
      return refused;
    },
  };
}

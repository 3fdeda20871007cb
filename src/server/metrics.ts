// Prometheus metrics at /metrics: Yoga's request, phase, resolver and error metrics, plus the
// registry's own (SQL statements per request, pool size, subscriptions, events, event lag, and
// queries running, waiting and refused by admission).
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventHub } from '../events/event-hub.js';
import type { QueryAdmission } from './query-admission.js';

export interface RegistryMetrics {
  registry: Registry;
  plugins: Plugin[];
  /** Called by the statement counter once per operation. */
  observeStatements(count: number): void;
  /** Called once per GraphQL error in a result, by its extensions.code. */
  countError(code: string): void;
}

export function createMetrics(options: {
  events: EventHub;
  admission: QueryAdmission;
  poolSize: number;
  openSockets: () => number;
  resolverTiming: boolean;
}): RegistryMetrics {
  // One registry per server instance: several servers (tests) can share a process.
  const registry = new Registry();
  const statements = new Histogram({
    name: 'registry_sql_statements_per_request',
    help: 'SQL statements run by one GraphQL operation',
    buckets: [0, 1, 2, 3, 4, 6, 8, 12, 20, 50],
    registers: [registry],
  });
  const errors = new Counter({ name: 'registry_graphql_errors_total', help: 'GraphQL errors returned, by extensions.code', labelNames: ['code'], registers: [registry] });
  new Gauge({ name: 'registry_db_pool_size', help: 'PostgreSQL connections this process may open', registers: [registry] }).set(options.poolSize);
  new Gauge({
    name: 'registry_open_subscriptions',
    help: 'Open subscriptions, by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      this.set({ transport: 'sse' }, options.events.subscribersBy('sse'));
      this.set({ transport: 'ws' }, options.events.subscribersBy('ws'));
    },
  });
  const { admission } = options;
  new Gauge({ name: 'registry_queries_running', help: 'Queries over HTTP running now (their cost within QUERY_COST_IN_FLIGHT)', registers: [registry], collect() { this.set(admission.running); } });
  new Gauge({ name: 'registry_queries_waiting', help: 'Queries over HTTP waiting for their turn', registers: [registry], collect() { this.set(admission.waiting); } });
  new Counter({
    name: 'registry_queries_refused_total',
    help: 'Queries refused with 503 because QUERY_QUEUE_LIMIT were already waiting',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(admission.refused);
    },
  });
  new Gauge({ name: 'registry_open_websockets', help: 'Open WebSocket connections', registers: [registry], collect() { this.set(options.openSockets()); } });
  new Counter({
    name: 'registry_events_delivered_total',
    help: 'Registry events pushed to subscribers',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(options.events.delivered);
    },
  });
  new Gauge({
    name: 'registry_event_lag',
    help: 'Committed events this server has not read and delivered yet',
    registers: [registry],
    async collect() {
      this.set(await options.events.lag().catch(() => -1));
    },
  });
  const prometheus = usePrometheus({
    registry,
    endpoint: '/metrics',
    metrics: {
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_envelop_phase_subscribe: true,
      // Per-resolver timing halves throughput on nested pages (bench/RESULTS.md): opt-in.
      graphql_envelop_execute_resolver: options.resolverTiming,
      graphql_yoga_http_duration: true,
      // Yoga's other defaults repeat these at a price paid on every request: a summary (quantiles
      // per observation) beside the duration histogram, a counter that is the histogram's _count,
      // and parse/validate/context/execute phase timings (parse and validation are cached).
      graphql_envelop_request_time_summary: false,
      graphql_envelop_request: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_schema_change: false,
      // Walks every document on every request, and the schema deprecates nothing.
      graphql_envelop_deprecated_field: false,
    },
  });
  return {
    registry,
    plugins: [prometheus],
    observeStatements: (count) => statements.observe(count),
    countError: (code) => errors.inc({ code }),
  };
}

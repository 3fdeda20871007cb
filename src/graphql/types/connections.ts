// The contract's connection types, shared by every field that pages through the same kind.
import type { Page } from '../../db/queries/keyset.js';
import { builder } from '../builder.js';
import { ModelVersionRef, RegisteredModelRef, StageTransitionRef } from './refs.js';

/**
 * The connection and edge types below, all built by toConnection: their edges, pageInfo and node
 * are plain properties (read inline, see ../inline-properties.ts).
 */
export const CONNECTION_TYPES = [
  { connection: 'RegisteredModelConnection', edge: 'RegisteredModelEdge' },
  { connection: 'ModelVersionConnection', edge: 'ModelVersionEdge' },
  { connection: 'StageTransitionConnection', edge: 'StageTransitionEdge' },
] as const;

const totalCountField = (description: string) =>
  ({
    fields: (t: any) => ({
      totalCount: t.int({ description, resolve: (connection: { totalCount: () => Promise<number> }) => connection.totalCount() }),
    }),
  }) as const;

export const RegisteredModelConnection = builder.connectionObject(
  {
    type: RegisteredModelRef,
    name: CONNECTION_TYPES[0].connection,
    description: 'A page of registered models.',
    ...totalCountField('Counts every match of the filter: linear in their number, computed only when asked for.'),
  },
  { name: CONNECTION_TYPES[0].edge, description: 'A registered model and its cursor.' },
);

export const ModelVersionConnection = builder.connectionObject(
  {
    type: ModelVersionRef,
    name: CONNECTION_TYPES[1].connection,
    description: 'A page of model versions.',
    ...totalCountField('Counts every match: linear in their number, computed only when asked for.'),
  },
  { name: CONNECTION_TYPES[1].edge, description: 'A model version and its cursor.' },
);

export const StageTransitionConnection = builder.connectionObject(
  {
    type: StageTransitionRef,
    name: CONNECTION_TYPES[2].connection,
    description: 'A page of stage history.',
    ...totalCountField('Counts every match: linear in their number, computed only when asked for.'),
  },
  { name: CONNECTION_TYPES[2].edge, description: 'A stage change and its cursor.' },
);

/** An edge whose cursor is encoded only when a query selects it; the getter lives on the prototype, not on each edge. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (item: T) => string,
  ) {}
  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

/** Page info whose cursors are encoded only when selected. */
class PageInfo<T> {
  constructor(
    private readonly page: Page<T>,
    private readonly cursorOf: (item: T) => string,
  ) {}
  get hasNextPage(): boolean {
    return this.page.hasNextPage;
  }
  get hasPreviousPage(): boolean {
    return this.page.hasPreviousPage;
  }
  get startCursor(): string | null {
    const { items } = this.page;
    return items.length ? this.cursorOf(items[0]) : null;
  }
  get endCursor(): string | null {
    const { items } = this.page;
    return items.length ? this.cursorOf(items[items.length - 1]) : null;
  }
}

/** A Relay connection result from a keyset page. */
export function toConnection<T>(page: Page<T>, cursorOf: (item: T) => string, totalCount: () => Promise<number>) {
  const { items } = page;
  const edges = new Array<Edge<T>>(items.length);
  for (let i = 0; i < items.length; i++) edges[i] = new Edge(items[i], cursorOf);
  return { edges, pageInfo: new PageInfo(page, cursorOf), totalCount };
}

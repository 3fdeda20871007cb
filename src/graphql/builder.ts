// The one Pothos builder: its plugins, scalars and defaults. Every type module adds to it.
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { QueryArgumentError } from '../registry/errors.js';
import type { RegistryContext } from './context.js';

const MAX_NODE_IDS = 100;
/** The types with global ids. Any other name would reach Pothos as an internal schema error. */
const NODE_TYPES = new Set(['RegisteredModel', 'ModelVersion', 'StageTransition']);

export const builder = new SchemaBuilder<{
  Context: RegistryContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  /** Every connection can count its matches, lazily: only when `totalCount` is selected. */
  Connection: { totalCount: () => Promise<number> };
}>({
  plugins: [RelayPlugin],
  // Fields are non-null unless the contract says otherwise: clients get fewer null checks.
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodeTypeOptions: { description: 'Relay Global Object Identification: an opaque, globally unique id.' },
    pageInfoTypeOptions: { description: 'Relay Cursor Connections PageInfo.' },
    nodeQueryOptions: { description: 'Any object by its global id; null when it does not exist (any more).' },
    nodesQueryOptions: {
      description: 'Objects by global id, in the order asked; null for each that does not exist. At most 100 ids.',
      // The documented limit, enforced: an unbounded list would be an unbounded batch.
      resolve: (_root, args, _ctx, _info, resolveNodes) => {
        if (args.ids.length > MAX_NODE_IDS) throw new QueryArgumentError(`'ids' takes at most ${MAX_NODE_IDS} ids`, 'ids');
        return resolveNodes(args.ids);
      },
    },
    decodeGlobalID: decodeGlobalId,
  },
});

/** Global ids are base64("Type:localId"); anything else is a clear argument error, not a 500. */
function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  // Row ids are int4: a larger number would be a SQL range error.
  if (colon <= 0 || !NODE_TYPES.has(typename) || !/^\d{1,10}$/.test(id) || Number(id) > 2147483647) {
    throw new QueryArgumentError(`Malformed global id '${globalId.slice(0, 100)}'`, 'id');
  }
  return { typename, id };
}

builder.queryType({ description: 'Reads of the registry.' });
builder.mutationType({ description: 'Changes to the registry. Each runs in one transaction; expected failures are returned as data.' });
builder.subscriptionType({ description: 'Durable, resumable streams of registry changes.' });

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 date-time');
    return date;
  },
});

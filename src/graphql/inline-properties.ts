// Relay's connection and edge fields only read a property of what the parent resolver returned
// (Pothos gives them `(parent) => parent.edges`). graphql-jit calls a resolver with fresh resolve
// info, path and arguments, per edge; with no resolver it reads the property inline.
import { type GraphQLSchema, isObjectType } from 'graphql';

/** The fields whose value is the same-named property of their parent (see ./types/connections.ts). */
const PROPERTY_FIELDS: Record<string, readonly string[]> = {
  Connection: ['edges', 'pageInfo'],
  Edge: ['node'],
};

/** Drops the property-reading resolvers of every connection and edge type; the default resolver reads the same property. */
export function readConnectionPropertiesInline(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const suffix = Object.keys(PROPERTY_FIELDS).find((s) => type.name.endsWith(s));
    if (!suffix) continue;
    const fields = type.getFields();
    for (const name of PROPERTY_FIELDS[suffix]) if (fields[name]) fields[name].resolve = undefined;
  }
  return schema;
}

// Relay's connection and edge fields only read a property of what the parent resolver returned
// (Pothos gives them `(parent) => parent.edges`). graphql-jit calls a resolver with fresh resolve
// info, path and arguments, per edge; with no resolver it reads the property inline.
import { type GraphQLSchema, isObjectType } from 'graphql';
import { CONNECTION_TYPES } from './types/connections.js';

function dropResolvers(schema: GraphQLSchema, typeName: string, fieldNames: readonly string[]): void {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type of the schema`);
  const fields = type.getFields();
  for (const name of fieldNames) fields[name].resolve = undefined;
}

/** Drops the property-reading resolvers of the registry's connection and edge types; the default resolver reads the same property. */
export function readConnectionPropertiesInline(schema: GraphQLSchema): GraphQLSchema {
  for (const { connection, edge } of CONNECTION_TYPES) {
    dropResolvers(schema, connection, ['edges', 'pageInfo']);
    dropResolvers(schema, edge, ['node']);
  }
  return schema;
}

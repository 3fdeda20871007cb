// The committed SDL of the schema: what `npm run schema` writes and the tests compare.
import { printSchema } from 'graphql';
import { schema } from './schema.js';

export function printSchemaSDL(): string {
  return `${printSchema(schema)}\n`;
}

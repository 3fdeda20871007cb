// `npm run schema`: writes the served schema's SDL to schema/schema.graphql.
import { writeFileSync } from 'node:fs';
import { printSchemaSDL } from '../src/graphql/print.js';

writeFileSync(new URL('../schema/schema.graphql', import.meta.url), printSchemaSDL());
console.log('wrote schema/schema.graphql');

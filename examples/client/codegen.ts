// GraphQL Code Generator config for the typed client: `npm run codegen:client` at the repository root.
// Reads the served schema and the operations in ./operations, writes ./generated (committed; a test
// checks it is current). Paths are relative to this file, so it runs from any directory.
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const config: CodegenConfig = {
  schema: here('../../schema/schema.graphql'),
  documents: here('./operations/*.graphql'),
  ignoreNoDocuments: false,
  generates: {
    [here('./generated/')]: {
      preset: 'client',
      presetConfig: {
        // No fragments here, so no masking helpers; `graphql()` is unused (documents live in .graphql files).
        fragmentMasking: false,
      },
      config: {
        // Documents are plain strings (TypedDocumentString): send them with fetch, no graphql-js at run time.
        documentMode: 'string',
        // Relative imports with .js, for ESM with moduleResolution NodeNext (harmless for bundlers).
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;

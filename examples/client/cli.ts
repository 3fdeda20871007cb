// Runs the example workflows against a registry:
//   npx tsx examples/client/cli.ts [url]      (default REGISTRY_URL or http://127.0.0.1:4000/graphql)
// REGISTRY_TOKEN is sent as the bearer token when set (an EDITOR token is enough).
import { GraphQLRequestError, main } from './registry-client.js';

const url = process.argv[2] ?? process.env.REGISTRY_URL ?? 'http://127.0.0.1:4000/graphql';
try {
  await main({ url, token: process.env.REGISTRY_TOKEN, model: process.env.REGISTRY_MODEL });
} catch (error) {
  const code = error instanceof GraphQLRequestError && error.code ? ` [${error.code}]` : '';
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  console.error(`${error instanceof Error ? error.message : String(error)}${code}${cause}`);
  process.exitCode = 1;
}

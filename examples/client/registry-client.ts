// A typed client for the model registry: fetch plus the documents and types that GraphQL Code
// Generator made from schema/schema.graphql and ./operations (see codegen.ts). No GraphQL library
// is needed at run time. Copy this folder, point codegen.ts at your copy of the schema, and every
// result is typed, the error unions of the mutations included.
//
//   npx tsx examples/client/cli.ts http://127.0.0.1:4000/graphql
import {
  ListModelsDocument,
  ModelWithLatestVersionsDocument,
  PromoteModelVersionDocument,
  RegisterModelDocument,
  TransitionModelVersionStageDocument,
  type ListModelsQuery,
  type ModelWithLatestVersionsQuery,
  type PromoteModelVersionInput,
  type PromoteModelVersionMutation,
  type RegisterModelInput,
  type RegisterModelMutation,
  type Stage,
  type TransitionModelVersionStageInput,
  type TransitionModelVersionStageMutation,
  type TypedDocumentString,
} from './generated/graphql.js';

// ---------------------------------------------------------------------------------------------
// Transport

export interface RegistryClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** An API token, sent as `Authorization: Bearer <token>` (needed when the server requires auth). */
  token?: string;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
}

/** One entry of a response's `errors`: a request the server refused (bad argument, 401, limits). */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * The request failed as a whole: a transport error, a non-JSON answer or GraphQL `errors`.
 * Expected mutation failures are not thrown: they are members of the result's union.
 */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: readonly GraphQLErrorEntry[] = [],
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }

  /** `extensions.code` of the first error, e.g. BAD_USER_INPUT or UNAUTHENTICATED. */
  get code(): string | undefined {
    const code = this.errors[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  }
}

/** An operation without variables takes none; one with variables requires them. */
export type VariablesArgument<TVariables> = TVariables extends Record<string, never> ? [] : [variables: TVariables];

export type RequestFunction = <TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...variables: VariablesArgument<TVariables>
) => Promise<TResult>;

export interface RegistryClient {
  /** Sends one operation and returns its typed `data`; throws GraphQLRequestError on `errors`. */
  request: RequestFunction;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...options.headers,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  async function request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult> {
    const response = await fetchImpl(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const text = await response.text();
    let body: { data?: TResult | null; errors?: GraphQLErrorEntry[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new GraphQLRequestError(`HTTP ${response.status}: not a GraphQL response`, response.status);
    }
    if (body.errors?.length) {
      throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), response.status, body.errors);
    }
    if (!response.ok || body.data == null) {
      throw new GraphQLRequestError(`HTTP ${response.status}: no data`, response.status);
    }
    return body.data;
  }

  return { request };
}

// ---------------------------------------------------------------------------------------------
// Narrowing union results

/** A member of a result union, picked by its __typename. */
export type Member<T extends { __typename: string }, N extends T['__typename']> = Extract<T, { __typename: N }>;

/**
 * Calls the handler for the result's __typename. The handlers object must name every member of
 * the union: when the server adds an error type and the client is regenerated, this stops
 * compiling until the new case is handled.
 */
export function match<T extends { __typename: string }, R>(
  result: T,
  handlers: { [N in T['__typename']]: (member: Member<T, N>) => R },
): R {
  const handler = handlers[result.__typename as T['__typename']] as ((member: T) => R) | undefined;
  if (!handler) throw new Error(`unexpected __typename ${result.__typename}`);
  return handler(result);
}

/** For exhaustive switches: a value left here means a case was forgotten (a compile error). */
export function assertNever(value: never): never {
  throw new Error(`unhandled member: ${JSON.stringify(value)}`);
}

export type RegisterModelResult = RegisterModelMutation['registerModel'];
export type TransitionResult = TransitionModelVersionStageMutation['transitionModelVersionStage'];
export type PromoteResult = PromoteModelVersionMutation['promoteModelVersion'];
export type RegisteredVersion = Member<RegisterModelResult, 'RegisterModelPayload'>['modelVersion'];
export type StageChange = Member<TransitionResult, 'TransitionModelVersionStagePayload'>;
export type ModelSummary = ListModelsQuery['registeredModels']['edges'][number]['node'];
export type ModelWithLatestVersions = NonNullable<ModelWithLatestVersionsQuery['registeredModel']>;

/** Every expected failure: the error members of the mutations' unions. */
export type RegistryError =
  | Exclude<RegisterModelResult, { __typename: 'RegisterModelPayload' }>
  | Exclude<TransitionResult, { __typename: 'TransitionModelVersionStagePayload' }>;

/** A mutation's outcome: its payload, or the error it returned as data. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: RegistryError };

// ---------------------------------------------------------------------------------------------
// The workflows

/** Every model, following keyset cursors `pageSize` at a time. */
export async function listAllModels(
  client: RegistryClient,
  pageSize = 50,
): Promise<{ totalCount: number; pages: number; models: ModelSummary[] }> {
  const models: ModelSummary[] = [];
  let after: string | null = null;
  let pages = 0;
  let totalCount = 0;
  for (;;) {
    const { registeredModels }: ListModelsQuery = await client.request(ListModelsDocument, { first: pageSize, after });
    pages += 1;
    totalCount = registeredModels.totalCount;
    models.push(...registeredModels.edges.map((edge) => edge.node));
    if (!registeredModels.pageInfo.hasNextPage || !registeredModels.pageInfo.endCursor) break;
    after = registeredModels.pageInfo.endCursor;
  }
  return { totalCount, pages, models };
}

/** A model with its latest version per stage (all stages when `stages` is omitted); null when missing. */
export async function getModel(
  client: RegistryClient,
  name: string,
  stages?: Stage[],
): Promise<ModelWithLatestVersions | null> {
  const { registeredModel } = await client.request(ModelWithLatestVersionsDocument, { name, stages });
  return registeredModel;
}

/** Registers a version (creating the model when missing). */
export async function registerModel(client: RegistryClient, input: RegisterModelInput): Promise<Outcome<RegisteredVersion>> {
  const { registerModel: result } = await client.request(RegisterModelDocument, { input });
  // An exhaustive switch: remove a case and `assertNever(result)` no longer compiles.
  switch (result.__typename) {
    case 'RegisterModelPayload':
      return { ok: true, value: result.modelVersion };
    case 'InvalidInputError':
    case 'PermissionDeniedError':
      return { ok: false, error: result };
    default:
      return assertNever(result);
  }
}

/** Moves a version to a stage, optionally archiving the model's other versions there. */
export async function transitionStage(
  client: RegistryClient,
  input: TransitionModelVersionStageInput,
): Promise<Outcome<StageChange>> {
  const { transitionModelVersionStage: result } = await client.request(TransitionModelVersionStageDocument, { input });
  // The same narrowing with `match`: every member must have a handler.
  return match<TransitionResult, Outcome<StageChange>>(result, {
    TransitionModelVersionStagePayload: (payload) => ({ ok: true, value: payload }),
    InvalidInputError: (error) => ({ ok: false, error }),
    NotFoundError: (error) => ({ ok: false, error }),
    PermissionDeniedError: (error) => ({ ok: false, error }),
    PreconditionFailedError: (error) => ({ ok: false, error }),
  });
}

/** Promotes the newest version of `fromStage` when every requirement holds; nothing changes otherwise. */
export async function promote(client: RegistryClient, input: PromoteModelVersionInput): Promise<Outcome<StageChange>> {
  const { promoteModelVersion: result } = await client.request(PromoteModelVersionDocument, { input });
  return match<PromoteResult, Outcome<StageChange>>(result, {
    TransitionModelVersionStagePayload: (payload) => ({ ok: true, value: payload }),
    InvalidInputError: (error) => ({ ok: false, error }),
    NotFoundError: (error) => ({ ok: false, error }),
    PermissionDeniedError: (error) => ({ ok: false, error }),
    PreconditionFailedError: (error) => ({ ok: false, error }),
  });
}

/** The success value, or a thrown Error carrying the registry's code and message. */
export function unwrap<T>(outcome: Outcome<T>, what: string): T {
  if (outcome.ok) return outcome.value;
  const { __typename, code, message } = outcome.error;
  throw new Error(`${what}: ${__typename} (${code}): ${message}`);
}

function describe(error: RegistryError): string {
  const at = error.__typename === 'InvalidInputError' && error.path ? ` at ${error.path.join('.')}` : '';
  return `${error.__typename} ${error.code}${at}: ${error.message}`;
}

export interface MainOptions extends RegistryClientOptions {
  /** The model the workflow registers and promotes. */
  model?: string;
  /** Where progress goes; console.log by default. */
  log?: (line: string) => void;
}

export interface MainSummary {
  model: string;
  /** Version numbers registered, weaker first. */
  registered: [number, number];
  /** The rejected registration (an empty source). */
  invalidInput: RegistryError;
  /** The promotion refused because the weaker version failed the accuracy requirement. */
  refused: RegistryError;
  /** The promotion that succeeded. */
  promoted: StageChange;
  /** Versions archived when the stronger version entered STAGING. */
  archivedOnStaging: number[];
  /** The model's latest version per stage afterwards. */
  latest: ModelWithLatestVersions['latestVersions'];
  /** Every model, listed a page at a time. */
  models: { totalCount: number; pages: number; names: string[] };
}

/**
 * The seed workflows end to end: register a weak version and stage it, see its promotion to
 * PRODUCTION refused (accuracy > 0.9 does not hold), register a stronger one, stage it (archiving the
 * weak one), promote it, then read the model's latest versions and list every model page by page.
 * Safe to run again: it works with the version numbers the registry returns.
 */
export async function main(options: MainOptions): Promise<MainSummary> {
  const client = createRegistryClient(options);
  const log = options.log ?? ((line: string) => console.log(line));
  const model = options.model ?? 'fraud-detector';
  const requirement = { metric: 'accuracy', op: 'GT', value: 0.9 } as const;

  const invalid = await registerModel(client, { name: model, source: '' });
  if (invalid.ok) throw new Error('an empty source was accepted');
  log(`register with an empty source: ${describe(invalid.error)}`);

  const weak = unwrap(
    await registerModel(client, {
      name: model,
      source: `s3://models/${model}/weak`,
      runId: 'run-weak',
      metrics: [{ key: 'accuracy', value: 0.85 }],
    }),
    'register the weak version',
  );
  log(`registered ${weak.name} v${weak.version} (accuracy 0.85)`);

  unwrap(
    await transitionStage(client, { name: model, version: weak.version, stage: 'STAGING', archiveExistingVersions: true }),
    'stage the weak version',
  );
  log(`v${weak.version} -> STAGING`);

  const refused = await promote(client, { name: model, fromStage: 'STAGING', toStage: 'PRODUCTION', requirements: [requirement] });
  if (refused.ok) throw new Error(`v${weak.version} was promoted despite accuracy 0.85`);
  log(`promote v${weak.version} with accuracy > 0.9: ${describe(refused.error)}`);

  const strong = unwrap(
    await registerModel(client, {
      name: model,
      source: `s3://models/${model}/strong`,
      runId: 'run-strong',
      metrics: [{ key: 'accuracy', value: 0.95 }],
    }),
    'register the strong version',
  );
  log(`registered ${strong.name} v${strong.version} (accuracy 0.95)`);

  const staged = unwrap(
    await transitionStage(client, { name: model, version: strong.version, stage: 'STAGING', archiveExistingVersions: true }),
    'stage the strong version',
  );
  const archivedOnStaging = staged.archivedVersions.map((v) => v.version);
  log(`v${strong.version} -> STAGING, archived: ${archivedOnStaging.map((v) => `v${v}`).join(', ') || 'none'}`);

  const promoted = unwrap(
    await promote(client, { name: model, fromStage: 'STAGING', toStage: 'PRODUCTION', requirements: [requirement] }),
    'promote the strong version',
  );
  log(`promoted v${promoted.modelVersion.version} -> ${promoted.modelVersion.stage}`);

  const found = await getModel(client, model);
  if (!found) throw new Error(`${model} is missing`);
  log(`latest versions: ${found.latestVersions.map((v) => `v${v.version} ${v.stage}`).join(', ')}`);

  const listed = await listAllModels(client, 10);
  log(`${listed.totalCount} model(s) in ${listed.pages} page(s): ${listed.models.map((m) => m.name).join(', ')}`);

  return {
    model,
    registered: [weak.version, strong.version],
    invalidInput: invalid.error,
    refused: refused.error,
    promoted,
    archivedOnStaging,
    latest: found.latestVersions,
    models: { totalCount: listed.totalCount, pages: listed.pages, names: listed.models.map((m) => m.name) },
  };
}

// The benchmark's requests: each scenario written for each server under test.
//   Q1 nested page, Q2 one model, Q3 Q1 after a cursor deep in the registry, Q4 writes.
import { modelName } from './seed.js';

export type Target = 'registry' | 'postgraphile' | 'floor';
export type Scenario = 'q1' | 'q2' | 'q3' | 'q4';
export const TARGETS: Target[] = ['registry', 'postgraphile', 'floor'];

export const SCENARIO_TITLES: Record<Scenario, string> = {
  q1: 'Q1 nested page (50 models x 5 versions x tags)',
  q2: 'Q2 one model (latest PRODUCTION, tags, aliases)',
  q3: 'Q3 deep page (Q1 after the 99% cursor)',
  q4: 'Q4 writes (transition with archiving + createModelVersion)',
};

export const REGISTRY_PAGE = `query Page($after: String, $first: Int = 50, $versions: Int = 5) {
  registeredModels(first: $first, after: $after) { edges { node { name
    versions(first: $versions) { edges { node { version stage source tags { key value } } } } } } } }`;

export const REGISTRY_MODEL = `query Model($name: String!) { registeredModel(name: $name) { name
  latestVersions(stages: [PRODUCTION]) { version source } tags { key value } aliases { alias version } } }`;

// PostGraphile's generated schema: no lookup by a unique index (only by constraint), so the model
// by name is a condition on the models connection; latestVersions is the newest PRODUCTION version.
export const POSTGRAPHILE_PAGE = `query Page($after: Cursor, $first: Int = 50, $versions: Int = 5) {
  allRegisteredModels(first: $first, after: $after, orderBy: NAME_ASC) { edges { node { name
    modelVersionsByModelId(first: $versions, orderBy: VERSION_DESC) { edges { node { version stage source
      modelVersionTagsByVersionId { nodes { key value } } } } } } } } }`;

export const POSTGRAPHILE_MODEL = `query Model($name: String!) {
  allRegisteredModels(condition: { name: $name }, first: 1) { nodes { name
    modelVersionsByModelId(condition: { stage: PRODUCTION }, orderBy: VERSION_DESC, first: 1) { nodes { version source } }
    registeredModelTagsByModelId { nodes { key value } }
    registeredModelAliasesByModelId { nodes { alias modelVersionByVersionId { version } } } } } }`;

const TRANSITION = `mutation Transition($name: String!, $version: Int!) {
  transitionModelVersionStage(input: { name: $name, version: $version, stage: PRODUCTION, archiveExistingVersions: true }) {
    __typename ... on TransitionModelVersionStagePayload { modelVersion { version stage } archivedVersions { version } }
    ... on Error { code message } } }`;

const CREATE = `mutation Create($name: String!, $source: String!) {
  createModelVersion(input: { name: $name, source: $source, tags: [{ key: "bench", value: "q4" }] }) {
    __typename ... on CreateModelVersionPayload { modelVersion { version } } ... on Error { code message } } }`;

/** Deterministic pseudo-random numbers (mulberry32): every server gets the same sequence. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Plan {
  method: 'GET' | 'POST';
  path: string;
  /** A fixed body, or a fresh one (and path) per request. */
  body?: string;
  next?: () => { path?: string; body?: string };
  /** Read each response and count GraphQL errors and typed Error results as errors. */
  checkBodies?: boolean;
}

export interface PlanContext {
  models: number;
  /** The cursor after the model at 99% depth, in the target's own format. */
  deepCursor?: string;
}

const gql = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const graphql = (body: string | undefined, next?: Plan['next']): Plan => ({ method: 'POST', path: '/graphql', body, next });

export function planFor(target: Target, scenario: Scenario, ctx: PlanContext): Plan {
  const rnd = random(42);
  const anyModel = () => modelName(1 + Math.floor(rnd() * ctx.models));
  const after = scenario === 'q3' ? ctx.deepCursor : undefined;
  if (scenario === 'q3' && !after) throw new Error(`q3 needs the deep cursor for ${target}`);
  switch (`${target}:${scenario}`) {
    case 'registry:q1':
    case 'registry:q3':
      return graphql(gql(REGISTRY_PAGE, { after }));
    case 'postgraphile:q1':
    case 'postgraphile:q3':
      return graphql(gql(POSTGRAPHILE_PAGE, { after }));
    case 'floor:q1':
    case 'floor:q3':
      return { method: 'GET', path: `/q1?first=50&versions=5${after ? `&after=${encodeURIComponent(after)}` : ''}` };
    // Q2: a different model on every request (the same pseudo-random sequence for each server).
    case 'registry:q2':
      return graphql(undefined, () => ({ body: gql(REGISTRY_MODEL, { name: anyModel() }) }));
    case 'postgraphile:q2':
      return graphql(undefined, () => ({ body: gql(POSTGRAPHILE_MODEL, { name: anyModel() }) }));
    case 'floor:q2':
      return { method: 'GET', path: '/q2', next: () => ({ path: `/q2?name=${anyModel()}` }) };
    // Q4: alternately a PRODUCTION transition with archiving of a random version, and a new version,
    // of random models (each load its own sequence); the floor gets the same mix as plain JSON (bench/peers/floor-writes.ts).
    case 'registry:q4':
    case 'floor:q4': {
      let n = 0;
      const writes = random(Date.now() & 0xffff);
      const model = () => modelName(1 + Math.floor(writes() * ctx.models));
      const next = () =>
        n++ % 2 === 0
          ? { op: 'transition', name: model(), version: 1 + Math.floor(writes() * 10) }
          : { op: 'create', name: model(), source: `s3://bench/q4/${n}` };
      if (target === 'floor') return { method: 'POST', path: '/q4', next: () => ({ body: JSON.stringify(next()) }), checkBodies: true };
      return {
        ...graphql(undefined, () => {
          const { op, ...variables } = next();
          return { body: gql(op === 'transition' ? TRANSITION : CREATE, variables) };
        }),
        checkBodies: true,
      };
    }
    default:
      throw new Error(`no ${scenario} for ${target}`);
  }
}

/** Whether a GraphQL response body reports a failure (a GraphQL error or a typed Error result). */
export function failed(body: string): boolean {
  return body.includes('"errors"') || /"__typename":"\w*Error"/.test(body);
}

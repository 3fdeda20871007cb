// Operations the tests share, written as a client would write them.
import type { TestRegistry } from './registry.js';

export const VERSION_FIELDS = 'id name version stage status source runId description createdAt updatedAt tags { key value } metrics { key value } aliases';

export async function createModel(r: TestRegistry, name: string, extra: Record<string, unknown> = {}) {
  const data = await r.gql(
    `mutation($input: CreateRegisteredModelInput!) { createRegisteredModel(input: $input) {
      __typename ... on CreateRegisteredModelPayload { registeredModel { id name description createdAt updatedAt tags { key value } } }
      ... on Error { code message } } }`,
    { input: { name, ...extra } },
  );
  return data.createRegisteredModel;
}

export async function createVersion(r: TestRegistry, name: string, extra: Record<string, unknown> = {}) {
  const data = await r.gql(
    `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) {
      __typename ... on CreateModelVersionPayload { modelVersion { ${VERSION_FIELDS} } }
      ... on Error { code message } } }`,
    { input: { name, source: `s3://models/${name}`, ...extra } },
  );
  return data.createModelVersion;
}

export async function registerModel(r: TestRegistry, name: string, extra: Record<string, unknown> = {}) {
  const data = await r.gql(
    `mutation($input: RegisterModelInput!) { registerModel(input: $input) {
      __typename ... on RegisterModelPayload { registeredModel { id name } modelVersion { ${VERSION_FIELDS} } }
      ... on Error { code message } ... on InvalidInputError { path } } }`,
    { input: { name, source: `s3://models/${name}`, ...extra } },
  );
  return data.registerModel;
}

export async function transition(r: TestRegistry, input: Record<string, unknown>) {
  const data = await r.gql(
    `mutation($input: TransitionModelVersionStageInput!) { transitionModelVersionStage(input: $input) {
      __typename
      ... on TransitionModelVersionStagePayload {
        modelVersion { version stage updatedAt }
        transitions { id cursor name version fromStage toStage comment actor createdAt modelVersion { version } }
        archivedVersions { version stage updatedAt }
      }
      ... on Error { code message } ... on InvalidInputError { path } } }`,
    { input },
  );
  return data.transitionModelVersionStage;
}

export async function promote(r: TestRegistry, input: Record<string, unknown>) {
  const data = await r.gql(
    `mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) {
      __typename
      ... on TransitionModelVersionStagePayload { modelVersion { version stage } transitions { version fromStage toStage } archivedVersions { version } }
      ... on Error { code message } ... on InvalidInputError { path } } }`,
    { input },
  );
  return data.promoteModelVersion;
}

export async function getModel(r: TestRegistry, name: string, selection = 'id name description createdAt updatedAt') {
  const data = await r.gql(`query($name: String!) { registeredModel(name: $name) { ${selection} } }`, { name });
  return data.registeredModel;
}

export async function getVersion(r: TestRegistry, name: string, version: number, selection = VERSION_FIELDS) {
  const data = await r.gql(`query($name: String!, $version: Int!) { modelVersion(name: $name, version: $version) { ${selection} } }`, { name, version });
  return data.modelVersion;
}

export async function stages(r: TestRegistry, name: string): Promise<Record<number, string>> {
  const data = await r.gql(`query($name: String!) { registeredModel(name: $name) { versions(first: 1000) { edges { node { version stage } } } } }`, { name });
  return Object.fromEntries(data.registeredModel.versions.edges.map((e: any) => [e.node.version, e.node.stage]));
}

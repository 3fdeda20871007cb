// The operations GraphiQL opens with: the registry's everyday workflows, ready to run.
export const EXAMPLE_OPERATIONS = /* GraphQL */ `# Welcome to the model registry. Pick an operation with the ▶ button.

query ListModels($after: String) {
  registeredModels(first: 10, after: $after, orderBy: { field: NAME, direction: ASC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name updatedAt latestVersions { version stage } tags { key value } } }
  }
}

query ModelWithLatestVersions {
  registeredModel(name: "fraud-detector") {
    name
    description
    aliases { alias version }
    latestVersions(stages: [STAGING, PRODUCTION]) { version stage source metrics { key value } }
  }
}

mutation Register {
  registerModel(input: {
    name: "fraud-detector"
    source: "s3://models/fraud/42"
    runId: "run-42"
    metrics: [{ key: "accuracy", value: 0.93 }]
  }) {
    __typename
    ... on RegisterModelPayload { modelVersion { name version stage } }
    ... on Error { code message }
  }
}

mutation MoveToStaging {
  transitionModelVersionStage(input: { name: "fraud-detector", version: 1, stage: STAGING, archiveExistingVersions: true }) {
    __typename
    ... on TransitionModelVersionStagePayload { modelVersion { version stage } transitions { fromStage toStage cursor } }
    ... on Error { code message }
  }
}

mutation PromoteIfAccurate {
  promoteModelVersion(input: {
    name: "fraud-detector"
    fromStage: STAGING
    toStage: PRODUCTION
    requirements: [{ metric: "accuracy", op: GT, value: 0.9 }]
  }) {
    __typename
    ... on TransitionModelVersionStagePayload { modelVersion { version stage } archivedVersions { version } }
    ... on Error { code message }
  }
}

subscription DeployHook {
  stageChanged(name: "fraud-detector", stages: [PRODUCTION]) {
    cursor name version fromStage toStage actor createdAt
    modelVersion { source }
  }
}
`;

/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** How a metric requirement compares the metric to its value. */
export type ComparisonOperator =
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE';

/** Machine-readable kind of a mutation failure. */
export type ErrorCode =
  /** An input broke a rule; `path` on InvalidInputError names it. */
  | 'INVALID_PARAMETER_VALUE'
  /** The caller may not do this. */
  | 'PERMISSION_DENIED'
  /** A stated precondition (expectedStage, a metric requirement) did not hold; nothing was changed. */
  | 'PRECONDITION_FAILED'
  /** The name is taken. */
  | 'RESOURCE_ALREADY_EXISTS'
  /** The model, version or alias does not exist. */
  | 'RESOURCE_DOES_NOT_EXIST'
  /** The request carried no valid identity. */
  | 'UNAUTHENTICATED';

/** A metric value to log; it replaces the key’s previous value. */
export type MetricInput = {
  /** 1 to 250 characters. */
  key: string;
  /** A finite number. */
  value: number;
};

/** Holds when the version’s metric `metric` compares to `value` as `op` says. A missing metric does not hold. */
export type MetricRequirement = {
  /** The metric key. */
  metric: string;
  /** The comparison. */
  op: ComparisonOperator;
  /** The threshold. */
  value: number;
};

/** The guarded promotion workflow in one atomic step: take the model’s newest version in `fromStage`, check every requirement against its metrics, and move it to `toStage`. Concurrent promotions of one model are serialized. */
export type PromoteModelVersionInput = {
  /** Archive the other versions in `toStage` (applies when it is STAGING or PRODUCTION). */
  archiveExistingVersions?: boolean | null | undefined;
  /** Why; stored with the transition. */
  comment?: string | null | undefined;
  fromStage: Stage;
  name: string;
  /** Every requirement must hold, or nothing changes. */
  requirements?: Array<MetricRequirement> | null | undefined;
  toStage: Stage;
};

/** mlflow.register_model: creates the registered model when it does not exist yet, then a new version of it. */
export type RegisterModelInput = {
  /** The version’s description, up to 5,000 characters. */
  description?: string | null | undefined;
  /** The version’s metrics, at most 100. */
  metrics?: Array<MetricInput> | null | undefined;
  /** The model, created when missing. */
  name: string;
  /** The training run that produced it. */
  runId?: string | null | undefined;
  /** Where the artifacts live: 1-2,048 characters. */
  source: string;
  /** The version’s tags, at most 100. */
  tags?: Array<TagInput> | null | undefined;
};

/** The lifecycle stages of a model version, as in MLflow. */
export type Stage =
  | 'ARCHIVED'
  | 'NONE'
  | 'PRODUCTION'
  | 'STAGING';

/** A tag to set. A key given twice in one list keeps its last value. */
export type TagInput = {
  /** 1 to 250 characters, no control characters. */
  key: string;
  /** Up to 5,000 characters. */
  value: string;
};

/** Moves one version to a stage, with optional preconditions. */
export type TransitionModelVersionStageInput = {
  /** When true and `stage` is STAGING or PRODUCTION, every other version of the model in that stage moves to ARCHIVED in the same transaction. */
  archiveExistingVersions?: boolean | null | undefined;
  /** Why; stored with the transition. */
  comment?: string | null | undefined;
  /** Optimistic concurrency: fail with PRECONDITION_FAILED unless the version is in this stage now. */
  expectedStage?: Stage | null | undefined;
  name: string;
  /** Every requirement must hold, or nothing changes and PRECONDITION_FAILED is returned. */
  requirements?: Array<MetricRequirement> | null | undefined;
  /** The target stage. */
  stage: Stage;
  version: number;
};

export type ListModelsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type ListModelsQuery = { registeredModels: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { name: string, updatedAt: string, latestVersions: Array<{ version: number, stage: Stage }>, tags: Array<{ key: string, value: string }> } }> } };

export type ModelWithLatestVersionsQueryVariables = Exact<{
  name: string;
  stages?: Array<Stage> | Stage | null | undefined;
}>;


export type ModelWithLatestVersionsQuery = { registeredModel: { name: string, description: string | null, updatedAt: string, latestVersions: Array<{ version: number, stage: Stage, source: string, runId: string | null, metrics: Array<{ key: string, value: number }> }> } | null };

export type RegisterModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterModelMutation = { registerModel:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, path: Array<string> | null }
    | { __typename: 'PermissionDeniedError', code: ErrorCode, message: string }
    | { __typename: 'RegisterModelPayload', registeredModel: { name: string }, modelVersion: { name: string, version: number, stage: Stage, source: string, metrics: Array<{ key: string, value: number }> } }
   };

export type TransitionModelVersionStageMutationVariables = Exact<{
  input: TransitionModelVersionStageInput;
}>;


export type TransitionModelVersionStageMutation = { transitionModelVersionStage:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, path: Array<string> | null }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'PermissionDeniedError', code: ErrorCode, message: string }
    | { __typename: 'PreconditionFailedError', code: ErrorCode, message: string }
    | { __typename: 'TransitionModelVersionStagePayload', modelVersion: { name: string, version: number, stage: Stage }, transitions: Array<{ version: number, fromStage: Stage, toStage: Stage, cursor: string }>, archivedVersions: Array<{ version: number, stage: Stage }> }
   };

export type PromoteModelVersionMutationVariables = Exact<{
  input: PromoteModelVersionInput;
}>;


export type PromoteModelVersionMutation = { promoteModelVersion:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, path: Array<string> | null }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'PermissionDeniedError', code: ErrorCode, message: string }
    | { __typename: 'PreconditionFailedError', code: ErrorCode, message: string }
    | { __typename: 'TransitionModelVersionStagePayload', modelVersion: { name: string, version: number, stage: Stage }, transitions: Array<{ version: number, fromStage: Stage, toStage: Stage, cursor: string }>, archivedVersions: Array<{ version: number, stage: Stage }> }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ListModelsDocument = new TypedDocumentString(`
    query ListModels($first: Int!, $after: String) {
  registeredModels(
    first: $first
    after: $after
    orderBy: {field: NAME, direction: ASC}
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        name
        updatedAt
        latestVersions {
          version
          stage
        }
        tags {
          key
          value
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ListModelsQuery, ListModelsQueryVariables>;
export const ModelWithLatestVersionsDocument = new TypedDocumentString(`
    query ModelWithLatestVersions($name: String!, $stages: [Stage!]) {
  registeredModel(name: $name) {
    name
    description
    updatedAt
    latestVersions(stages: $stages) {
      version
      stage
      source
      runId
      metrics {
        key
        value
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelWithLatestVersionsQuery, ModelWithLatestVersionsQueryVariables>;
export const RegisterModelDocument = new TypedDocumentString(`
    mutation RegisterModel($input: RegisterModelInput!) {
  registerModel(input: $input) {
    __typename
    ... on RegisterModelPayload {
      registeredModel {
        name
      }
      modelVersion {
        name
        version
        stage
        source
        metrics {
          key
          value
        }
      }
    }
    ... on Error {
      code
      message
    }
    ... on InvalidInputError {
      path
    }
  }
}
    `) as unknown as TypedDocumentString<RegisterModelMutation, RegisterModelMutationVariables>;
export const TransitionModelVersionStageDocument = new TypedDocumentString(`
    mutation TransitionModelVersionStage($input: TransitionModelVersionStageInput!) {
  transitionModelVersionStage(input: $input) {
    __typename
    ... on TransitionModelVersionStagePayload {
      modelVersion {
        name
        version
        stage
      }
      transitions {
        version
        fromStage
        toStage
        cursor
      }
      archivedVersions {
        version
        stage
      }
    }
    ... on Error {
      code
      message
    }
    ... on InvalidInputError {
      path
    }
  }
}
    `) as unknown as TypedDocumentString<TransitionModelVersionStageMutation, TransitionModelVersionStageMutationVariables>;
export const PromoteModelVersionDocument = new TypedDocumentString(`
    mutation PromoteModelVersion($input: PromoteModelVersionInput!) {
  promoteModelVersion(input: $input) {
    __typename
    ... on TransitionModelVersionStagePayload {
      modelVersion {
        name
        version
        stage
      }
      transitions {
        version
        fromStage
        toStage
        cursor
      }
      archivedVersions {
        version
        stage
      }
    }
    ... on Error {
      code
      message
    }
    ... on InvalidInputError {
      path
    }
  }
}
    `) as unknown as TypedDocumentString<PromoteModelVersionMutation, PromoteModelVersionMutationVariables>;
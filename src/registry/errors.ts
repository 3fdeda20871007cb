// The expected failures of registry operations. Each becomes a typed GraphQL error returned as data.
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'INVALID_PARAMETER_VALUE'
  | 'PRECONDITION_FAILED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED';

export abstract class RegistryError extends Error {
  abstract readonly code: ErrorCode;
}

export class AlreadyExistsError extends RegistryError {
  readonly code = 'RESOURCE_ALREADY_EXISTS' as const;
}

export class NotFoundError extends RegistryError {
  readonly code = 'RESOURCE_DOES_NOT_EXIST' as const;
}

export class InvalidInputError extends RegistryError {
  readonly code = 'INVALID_PARAMETER_VALUE' as const;
  /** The input field at fault, e.g. ['input', 'name']. */
  constructor(
    message: string,
    readonly path: string[] | null = null,
  ) {
    super(message);
  }
}

export class PreconditionFailedError extends RegistryError {
  readonly code = 'PRECONDITION_FAILED' as const;
}

export class PermissionDeniedError extends RegistryError {
  readonly code = 'PERMISSION_DENIED' as const;
}

export const modelNotFound = (name: string) => new NotFoundError(`Registered Model with name=${name} not found`);
export const versionNotFound = (name: string, version: number) =>
  new NotFoundError(`Model Version (name=${name}, version=${version}) not found`);

/**
 * A bad argument to a query field (page size, cursor). Not data: it is a GraphQL error with
 * `extensions.code`, which the server passes to the client unmasked.
 */
export class QueryArgumentError extends GraphQLError {
  constructor(message: string, argument: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT', argument, http: { status: 400 } } });
  }
}

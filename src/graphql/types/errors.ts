// Domain errors as GraphQL types, and the result unions mutations return them in.
// The contract shares unions between fields (RegisteredModelResult, TransitionModelVersionStagePayload),
// which per-field unions cannot express, so the unions are declared here once and reused.
// Errors travel as plain objects: graphql-js treats a resolver's returned Error instance as a throw.
import type { ObjectRef } from '@pothos/core';
import { InvalidInputError, RegistryError } from '../../registry/errors.js';
import { builder } from '../builder.js';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Machine-readable kind of a mutation failure.',
  values: {
    RESOURCE_ALREADY_EXISTS: { description: 'The name is taken.' },
    RESOURCE_DOES_NOT_EXIST: { description: 'The model, version or alias does not exist.' },
    INVALID_PARAMETER_VALUE: { description: 'An input broke a rule; `path` on InvalidInputError names it.' },
    PRECONDITION_FAILED: {
      description: 'A stated precondition (expectedStage, a metric requirement) did not hold; nothing was changed.',
    },
    PERMISSION_DENIED: { description: 'The caller may not do this.' },
    UNAUTHENTICATED: { description: 'The request carried no valid identity.' },
  } as const,
});

type ErrorName = 'AlreadyExistsError' | 'NotFoundError' | 'InvalidInputError' | 'PreconditionFailedError' | 'PermissionDeniedError';

/** A domain error as GraphQL data. */
export interface ErrorResult {
  type: ErrorName;
  message: string;
  code: RegistryError['code'];
  path: string[] | null;
}

export const ErrorInterface = builder.interfaceRef<ErrorResult>('Error').implement({
  description: 'Every expected failure of a mutation is one of these, returned as data.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.field({ type: ErrorCodeEnum, description: 'What went wrong, for programs.', resolve: (e) => e.code }),
  }),
});

const isErrorOf = (name: string) => (value: unknown) => (value as ErrorResult | null)?.type === name;

function errorType(name: ErrorName, description: string) {
  return builder.objectRef<ErrorResult>(name).implement({
    description,
    interfaces: [ErrorInterface],
    isTypeOf: isErrorOf(name),
    fields: () => ({}),
  });
}

export const AlreadyExistsErrorRef = errorType('AlreadyExistsError', 'A registered model with that name exists already.');
export const NotFoundErrorRef = errorType('NotFoundError', 'The model, version or alias named does not exist.');
export const PreconditionFailedErrorRef = errorType(
  'PreconditionFailedError',
  'A precondition of the request (expectedStage, a metric requirement, a version to promote) did not hold. Nothing was changed.',
);
export const PermissionDeniedErrorRef = errorType('PermissionDeniedError', 'The caller may not make this change.');
export const InvalidInputErrorRef = builder.objectRef<ErrorResult>('InvalidInputError').implement({
  description: 'An input broke a validation rule. Nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: isErrorOf('InvalidInputError'),
  fields: (t) => ({
    path: t.stringList({
      nullable: true,
      description: 'The input field at fault, e.g. ["input", "name"].',
      resolve: (e) => e.path,
    }),
  }),
});

const ERROR_REFS: Record<ErrorName, unknown> = {
  AlreadyExistsError: AlreadyExistsErrorRef,
  NotFoundError: NotFoundErrorRef,
  InvalidInputError: InvalidInputErrorRef,
  PreconditionFailedError: PreconditionFailedErrorRef,
  PermissionDeniedError: PermissionDeniedErrorRef,
};
const TYPE_BY_CODE: Record<RegistryError['code'], ErrorName> = {
  RESOURCE_ALREADY_EXISTS: 'AlreadyExistsError',
  RESOURCE_DOES_NOT_EXIST: 'NotFoundError',
  INVALID_PARAMETER_VALUE: 'InvalidInputError',
  PRECONDITION_FAILED: 'PreconditionFailedError',
  PERMISSION_DENIED: 'PermissionDeniedError',
  UNAUTHENTICATED: 'PermissionDeniedError',
};

/** A `<Field>Result` union of a payload type and the errors a mutation may return. */
export function resultUnion<T extends object>(name: string, payload: ObjectRef<any, T>, errors: ErrorName[], description: string) {
  return builder.unionType(name, {
    description,
    types: [payload, ...errors.map((e) => ERROR_REFS[e] as ObjectRef<any, ErrorResult>)],
    resolveType: (value) => ((value as Partial<ErrorResult>).type && (value as ErrorResult).message !== undefined ? (value as ErrorResult).type : payload.name),
  });
}

/** Runs a registry operation, returning its expected failures as data instead of throwing them. */
export async function asResult<T>(operation: () => Promise<T>): Promise<T | ErrorResult> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RegistryError) {
      return { type: TYPE_BY_CODE[error.code], message: error.message, code: error.code, path: error instanceof InvalidInputError ? error.path : null };
    }
    throw error;
  }
}

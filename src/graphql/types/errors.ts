// Domain errors as GraphQL types, and the result unions mutations return them in.
// The contract shares unions between fields (RegisteredModelResult, TransitionModelVersionStagePayload),
// which per-field unions cannot express, so the unions are declared here once and reused.
import type { ObjectRef } from '@pothos/core';
import {
  AlreadyExistsError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  RegistryError,
} from '../../registry/errors.js';
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

export const ErrorInterface = builder.interfaceRef<RegistryError>('Error').implement({
  description: 'Every expected failure of a mutation is one of these, returned as data.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.field({ type: ErrorCodeEnum, description: 'What went wrong, for programs.', resolve: (e) => e.code }),
  }),
});

function errorType(cls: abstract new (...args: never[]) => RegistryError, name: string, description: string) {
  return builder.objectRef<RegistryError>(name).implement({
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof cls,
    fields: () => ({}),
  });
}

export const AlreadyExistsErrorRef = errorType(AlreadyExistsError, 'AlreadyExistsError', 'A registered model with that name exists already.');
export const NotFoundErrorRef = errorType(NotFoundError, 'NotFoundError', 'The model, version or alias named does not exist.');
export const PreconditionFailedErrorRef = errorType(
  PreconditionFailedError,
  'PreconditionFailedError',
  'A precondition of the request (expectedStage, a metric requirement, a version to promote) did not hold. Nothing was changed.',
);
export const PermissionDeniedErrorRef = errorType(PermissionDeniedError, 'PermissionDeniedError', 'The caller may not make this change.');
export const InvalidInputErrorRef = builder.objectRef<RegistryError>('InvalidInputError').implement({
  description: 'An input broke a validation rule. Nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidInputError,
  fields: (t) => ({
    path: t.stringList({
      nullable: true,
      description: 'The input field at fault, e.g. ["input", "name"].',
      resolve: (e) => (e instanceof InvalidInputError ? e.path : null),
    }),
  }),
});

const ERROR_REFS = {
  AlreadyExistsError: AlreadyExistsErrorRef,
  NotFoundError: NotFoundErrorRef,
  InvalidInputError: InvalidInputErrorRef,
  PreconditionFailedError: PreconditionFailedErrorRef,
  PermissionDeniedError: PermissionDeniedErrorRef,
};
type ErrorName = keyof typeof ERROR_REFS;
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
    types: [payload, ...errors.map((e) => ERROR_REFS[e])],
    resolveType: (value) => (value instanceof RegistryError ? TYPE_BY_CODE[value.code] : payload.name),
  });
}

/** Runs a registry operation, returning its expected failures as data instead of throwing them. */
export async function asResult<T>(operation: () => Promise<T>): Promise<T | RegistryError> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
}

// What one request may cost: depth, aliases, directives and tokens (graphql-armor), root fields
// and a cost budget in which page sizes multiply (below), and the request body's size.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  type ASTVisitor,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLField,
  type GraphQLObjectType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  valueFromAST,
  visit,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface RequestLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxRootFields: number;
  maxCost: number;
  maxBodyBytes: number;
}

/** Defaults no legitimate client of the contract reaches; `registeredModels(first: 1000)` with nested `versions(first: 10)` fits the cost budget. */
export const DEFAULT_LIMITS: RequestLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5000,
  maxRootFields: 20,
  maxCost: 100_000,
  maxBodyBytes: 1024 * 1024,
};

const DEFAULT_PAGE = 50;

/**
 * Cost: 1 per object-typed field, times the page size (`first`/`last`, else 50) for a field
 * that pages. Scalars are free: the rows are what cost.
 */
function selectionCost(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  selectionSet: SelectionSetNode | undefined,
  variables: Record<string, unknown>,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!selectionSet) return 0;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(schema, type, selection, variables, fragments, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
      total += selectionCost(schema, on, selection.selectionSet, variables, fragments, seen);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) continue; // cycles are another rule's error
      const on = schema.getType(fragment.typeCondition.name.value) ?? type;
      total += selectionCost(schema, on, fragment.selectionSet, variables, fragments, new Set([...seen, fragment.name.value]));
    }
  }
  return total;
}

function fieldCost(
  schema: GraphQLSchema,
  parent: GraphQLNamedType,
  node: FieldNode,
  variables: Record<string, unknown>,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
  const field = (parent as GraphQLObjectType).getFields()[node.name.value] as GraphQLField<unknown, unknown> | undefined;
  if (!field) return 0;
  const type = getNamedType(field.type);
  if (!isCompositeType(type)) return 0;
  let multiplier = 1;
  const pages = field.args.some((a) => a.name === 'first');
  if (pages) {
    const sizeOf = (name: string) => {
      const arg = node.arguments?.find((a) => a.name.value === name);
      const def = field.args.find((a) => a.name === name);
      const value = arg && def ? valueFromAST(arg.value, def.type, variables as Record<string, unknown>) : undefined;
      return typeof value === 'number' && value >= 0 ? value : undefined;
    };
    multiplier = sizeOf('first') ?? sizeOf('last') ?? DEFAULT_PAGE;
  }
  return 1 + multiplier * selectionCost(schema, type, node.selectionSet, variables, fragments, seen);
}

/** An operation's cost with these variables, as MAX_COST measures it; also weighs queries for admission. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  // With the variables' defaults applied: `$first: Int = 5` pages by 5, not by the default page size.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  return selectionCost(schema, root, operation.selectionSet, coerced.coerced ?? variables, fragments, new Set());
}

const pagedByVariable = new WeakMap<DocumentNode, boolean>();

/** Whether a variable gives some field's `first` or `last`, so that the cost depends on the request's variables. */
export function pagesByVariable(document: DocumentNode): boolean {
  let found = pagedByVariable.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Argument(node) {
        if ((node.name.value === 'first' || node.name.value === 'last') && node.value.kind === Kind.VARIABLE) found = true;
      },
    });
    pagedByVariable.set(document, found);
  }
  return found;
}

function tooExpensive(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(`Query too expensive: cost ${cost} is over the budget of ${maxCost} (each object field costs 1, times the page size of the connections it is in)`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
  });
}

/**
 * The budget of an operation whose page sizes are literals, checked once per document text with
 * the rest of validation (whose result Yoga caches by document). One paged by variables is
 * checked on every request instead, by `checkPerRequest`: a cached verdict for the first request's
 * variables would let `first: $n` with a larger n through, or refuse a smaller one.
 */
function budgetRule(limits: RequestLimits) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const rootFields = operation.selectionSet.selections.length;
      if (rootFields > limits.maxRootFields) {
        context.reportError(new GraphQLError(`Too many root fields: ${rootFields} (at most ${limits.maxRootFields})`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        return;
      }
      if (pagesByVariable(context.getDocument())) return;
      const cost = operationCost(context.getSchema(), context.getDocument(), operation, {});
      if (cost > limits.maxCost) context.reportError(tooExpensive(cost, limits.maxCost));
    },
  });
}

const report = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX' } }))],
};

/** Envelop plugins that enforce the limits during validation (and, for a budget that depends on variables, at execution). */
export function useRequestLimits(limits: RequestLimits): Plugin[] {
  const checkPerRequest = ({ args, setResultAndStopExecution }: { args: ExecutionArgs; setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void }) => {
    if (!pagesByVariable(args.document)) return;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    const cost = operationCost(args.schema, args.document, operation, (args.variableValues ?? {}) as Record<string, unknown>);
    if (cost > limits.maxCost) setResultAndStopExecution({ errors: [tooExpensive(cost, limits.maxCost)] });
  };
  const budget: Plugin = {
    onValidate({ addValidationRule }) {
      // graphql-armor's rules, added directly; they report through onReject (by default they throw).
      addValidationRule(maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...report }));
      addValidationRule(maxAliasesRule({ n: limits.maxAliases, ...report }));
      addValidationRule(maxDirectivesRule({ n: limits.maxDirectives, ...report }));
      addValidationRule(budgetRule(limits));
    },
    onExecute: checkPerRequest as never,
    onSubscribe: checkPerRequest as never,
  };
  const body: Plugin = {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > limits.maxBodyBytes) {
        endResponse(
          fetchAPI.Response.json(
            { errors: [{ message: `Request body too large: ${length} bytes (at most ${limits.maxBodyBytes})`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
            { status: 413 },
          ),
        );
      }
    },
  };
  return [maxTokensPlugin({ n: limits.maxTokens }) as Plugin, budget, body];
}

// Look-ahead into a field's selection: lets a parent fetch what its children will ask for in the
// same statement (a version page with its tags), and only the columns they read.
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** The names of the fields selected at `path` below this field (e.g. ['edges', 'node']), or below `from`, through fragments too. */
export function fieldsAt(info: GraphQLResolveInfo, path: readonly string[], from: readonly FieldNode[] = info.fieldNodes): Set<string> {
  return new Set(fieldNodesAt(info, path, from).map((node) => node.name.value));
}

/** The field nodes selected at `path` below this field, or below `from` (field nodes of this operation), through fragments too. */
export function fieldNodesAt(info: GraphQLResolveInfo, path: readonly string[], from: readonly FieldNode[] = info.fieldNodes): FieldNode[] {
  const nodes: FieldNode[] = [];
  for (const node of from) if (node.selectionSet) collect(info, node.selectionSet, path, 0, nodes);
  return nodes;
}

function collect(info: GraphQLResolveInfo, set: SelectionSetNode, path: readonly string[], depth: number, nodes: FieldNode[]): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (depth === path.length) nodes.push(selection);
      else if (selection.name.value === path[depth] && selection.selectionSet) collect(info, selection.selectionSet, path, depth + 1, nodes);
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
      if (inner) collect(info, inner, path, depth, nodes);
    }
  }
}

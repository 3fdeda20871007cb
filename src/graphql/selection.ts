// Look-ahead into a field's selection: lets a parent fetch what its children will ask for in the
// same statement (a version page with its tags), and only the columns they read.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** The names of the fields selected at `path` below this field (e.g. ['edges', 'node']), through fragments too. */
export function fieldsAt(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const node of info.fieldNodes) if (node.selectionSet) collect(info, node.selectionSet, path, 0, names);
  return names;
}

function collect(info: GraphQLResolveInfo, set: SelectionSetNode, path: readonly string[], depth: number, names: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (depth === path.length) names.add(selection.name.value);
      else if (selection.name.value === path[depth] && selection.selectionSet) collect(info, selection.selectionSet, path, depth + 1, names);
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
      if (inner) collect(info, inner, path, depth, names);
    }
  }
}

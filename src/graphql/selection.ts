// Look-ahead into a field's selection: lets a parent fetch what its children will ask for in the
// same statement (a version page with its tags) instead of one more batch per level.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** Whether the query selects `path` (e.g. ['edges', 'node', 'tags']) below this field, through fragments too. */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && selectsIn(info, node.selectionSet, path, 0));
}

function selectsIn(info: GraphQLResolveInfo, set: SelectionSetNode, path: readonly string[], depth: number): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== path[depth]) continue;
      if (depth === path.length - 1) return true;
      if (selection.selectionSet && selectsIn(info, selection.selectionSet, path, depth + 1)) return true;
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
      if (inner && selectsIn(info, inner, path, depth)) return true;
    }
  }
  return false;
}

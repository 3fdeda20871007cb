// Read access at the entry points (root lookups, node, lists): a model the caller may not read
// (a NONE grant) is absent, not an error, so its existence does not leak.
import type { RegistryContext } from '../context.js';

type OfModel = { id: number; modelId?: number } | { modelId: number };

export async function visibleModel<T extends OfModel>(ctx: RegistryContext, record: T | null): Promise<T | null> {
  if (!record || ctx.actor.isAdmin) return record;
  const modelId = 'modelId' in record && record.modelId != null ? record.modelId : (record as { id: number }).id;
  return (await ctx.actor.allows(modelId, 'READ')) ? record : null;
}

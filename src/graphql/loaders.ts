// Request-scoped DataLoaders: every per-parent lookup is batched into one statement per
// level of the query, so the statement count follows the query's depth, not its page sizes.
import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import type { Page, PageArgs, PagePlan } from '../db/queries/keyset.js';
import {
  countVersionsOfModels,
  groupBy,
  latestVersionsOfModels,
  metricsOfVersions,
  planModelVersionsPage,
  tagsOfVersions,
  versionPagesOfModels,
  versionsByAlias,
  versionsByIds,
  versionsByName,
  versionsByNumber,
  type VersionPageShape,
} from '../db/queries/model-versions.js';
import {
  aliasesOfModels,
  aliasesOfVersions,
  type AliasRow,
  type ModelLookupShape,
  modelsByIds,
  modelsByNamesWithRelated,
  type ModelWithRelated,
  tagsOfModels,
} from '../db/queries/registered-models.js';
import {
  countTransitionsOfVersions,
  planVersionTransitionsPage,
  transitionPagesOfVersions,
  transitionsByIds,
} from '../db/queries/stage-transitions.js';
import type { ModelVersionRecord, RegisteredModelRecord, Stage, StageTransitionRecord } from '../registry/types.js';

interface Keyed {
  /** Keys with the same group are answered by one statement. */
  group: string;
}

/** Batches keys per group (e.g. per page size and cursor) and runs one statement per group. */
function groupedLoader<K extends Keyed, V>(cache: boolean, cacheKey: (key: K) => string, loadGroup: (keys: K[]) => Promise<V[]>) {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const results = new Array<V>(keys.length);
      const groups = groupBy(
        keys.map((key, index) => ({ key, index })),
        (k) => k.key.group,
      );
      await Promise.all(
        [...groups.values()].map(async (items) => {
          const values = await loadGroup(items.map((i) => i.key));
          items.forEach((item, i) => (results[item.index] = values[i]));
        }),
      );
      return results;
    },
    { cacheKeyFn: cacheKey, cache },
  );
}

function byKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function listsByOwner<T extends { ownerId: number }>(ids: readonly number[], rows: T[]) {
  const groups = groupBy(rows, (r) => r.ownerId);
  return ids.map((id) => groups.get(id) ?? []);
}

const stagesKey = (stages: Stage[] | null | undefined) => (stages ? [...new Set(stages)].sort().join(',') || '-' : '*');

export interface VersionPageKey extends Keyed {
  modelId: number;
  plan: PagePlan;
  stages: Stage[] | null | undefined;
  /** What the query reads of each version: the columns fetched, and tags in the same statement. */
  shape: VersionPageShape;
}
export interface TransitionPageKey extends Keyed {
  versionId: number;
  plan: PagePlan;
}
export interface ModelLookupKey extends Keyed {
  name: string;
  shape: ModelLookupShape;
}
export interface StagesKey extends Keyed {
  id: number;
  stages: Stage[] | null | undefined;
}

/** How to make each loader; shared by every request, instantiated lazily per request. */
const FACTORIES = {
  modelById: (db: Db, cache: boolean) => new DataLoader<number, RegisteredModelRecord | null>(async (ids) => byKey(ids, await modelsByIds(db, ids), (m) => m.id), { cache }),
  modelByNameWithRelated: (db: Db, cache: boolean) => groupedLoader<ModelLookupKey, ModelWithRelated | null>(
    cache,
    (k) => `${k.name}|${k.group}`,
    async (keys) => byKey(keys.map((k) => k.name), await modelsByNamesWithRelated(db, keys.map((k) => k.name), keys[0].shape), (m) => m.name),
  ),
  versionById: (db: Db, cache: boolean) => new DataLoader<number, ModelVersionRecord | null>(async (ids) => byKey(ids, await versionsByIds(db, ids), (v) => v.id), { cache }),
  versionByNumber: (db: Db, cache: boolean) => new DataLoader<{ modelId: number; version: number }, ModelVersionRecord | null, string>(
    async (keys) => byKey(keys.map((k) => `${k.modelId}:${k.version}`), await versionsByNumber(db, keys), (v) => `${v.modelId}:${v.version}`),
    { cacheKeyFn: (k) => `${k.modelId}:${k.version}`, cache },
  ),
  versionByName: (db: Db, cache: boolean) => new DataLoader<{ name: string; version: number }, ModelVersionRecord | null, string>(
    async (keys) => byKey(keys.map((k) => JSON.stringify([k.name, k.version])), await versionsByName(db, keys), (v) => JSON.stringify([v.modelName, v.version])),
    { cacheKeyFn: (k) => JSON.stringify([k.name, k.version]), cache },
  ),
  versionByAlias: (db: Db, cache: boolean) => new DataLoader<{ modelId: number; alias: string }, ModelVersionRecord | null, string>(
    async (keys) => byKey(keys.map((k) => JSON.stringify([k.modelId, k.alias])), await versionsByAlias(db, keys), (v) => JSON.stringify([v.modelId, v.alias])),
    { cacheKeyFn: (k) => JSON.stringify([k.modelId, k.alias]), cache },
  ),
  modelTags: (db: Db, cache: boolean) => new DataLoader<number, { key: string; value: string }[]>(async (ids) => listsByOwner(ids, await tagsOfModels(db, ids)), { cache }),
  versionTags: (db: Db, cache: boolean) => new DataLoader<number, { key: string; value: string }[]>(async (ids) => listsByOwner(ids, await tagsOfVersions(db, ids)), { cache }),
  versionMetrics: (db: Db, cache: boolean) => new DataLoader<number, { key: string; value: number }[]>(async (ids) => listsByOwner(ids, await metricsOfVersions(db, ids)), { cache }),
  modelAliases: (db: Db, cache: boolean) => new DataLoader<number, AliasRow[]>(async (ids) => {
    const groups = groupBy(await aliasesOfModels(db, ids), (a) => a.modelId);
    return ids.map((id) => groups.get(id) ?? []);
  }, { cache }),
  versionAliases: (db: Db, cache: boolean) => new DataLoader<number, string[]>(async (ids) => {
    const groups = groupBy(await aliasesOfVersions(db, ids), (a) => a.versionId);
    return ids.map((id) => (groups.get(id) ?? []).map((a) => a.alias));
  }, { cache }),
  latestVersions: (db: Db, cache: boolean) => groupedLoader<StagesKey, ModelVersionRecord[]>(
    cache,
    (k) => `${k.id}|${k.group}`,
    async (keys) => {
      const byModel = await latestVersionsOfModels(db, keys.map((k) => k.id), keys[0].stages);
      return keys.map((k) => byModel.get(k.id) ?? []);
    },
  ),
  versionPages: (db: Db, cache: boolean) => groupedLoader<VersionPageKey, Page<ModelVersionRecord>>(
    cache,
    (k) => `${k.modelId}|${k.group}`,
    async (keys) => {
      const pages = await versionPagesOfModels(db, keys.map((k) => k.modelId), keys[0].plan, keys[0].stages, keys[0].shape);
      return keys.map((k) => pages.get(k.modelId)!);
    },
  ),
  versionCounts: (db: Db, cache: boolean) => groupedLoader<StagesKey, number>(
    cache,
    (k) => `${k.id}|${k.group}`,
    async (keys) => {
      const counts = await countVersionsOfModels(db, keys.map((k) => k.id), keys[0].stages);
      return keys.map((k) => counts.get(k.id) ?? 0);
    },
  ),
  transitionPages: (db: Db, cache: boolean) => groupedLoader<TransitionPageKey, Page<StageTransitionRecord>>(
    cache,
    (k) => `${k.versionId}|${k.group}`,
    async (keys) => {
      const pages = await transitionPagesOfVersions(db, keys.map((k) => k.versionId), keys[0].plan);
      return keys.map((k) => pages.get(k.versionId)!);
    },
  ),
  transitionCounts: (db: Db, cache: boolean) => new DataLoader<number, number>(async (ids) => {
    const counts = await countTransitionsOfVersions(db, ids);
    return ids.map((id) => counts.get(id) ?? 0);
  }, { cache }),
  transitionById: (db: Db, cache: boolean) => new DataLoader<number, StageTransitionRecord | null>(async (ids) => byKey(ids, await transitionsByIds(db, ids), (t) => t.id), { cache }),
};

type Factories = typeof FACTORIES;
export type Loaders = { readonly [K in keyof Factories]: ReturnType<Factories[K]> };

const DB = Symbol('db');
const CACHE = Symbol('cache');
interface LoaderSlots {
  [DB]: Db;
  [CACHE]: boolean;
  [name: string]: unknown;
}
// One handler for all requests: a loader is made on its first use and kept on the target.
const lazyLoaders: ProxyHandler<LoaderSlots> = {
  get(slots, name) {
    if (typeof name !== 'string' || !(name in FACTORIES)) return undefined;
    return (slots[name] ??= FACTORIES[name as keyof Factories](slots[DB], slots[CACHE]));
  },
};

/**
 * Loaders are made on first use: most requests touch a few of them, and each open subscription
 * keeps its context alive. `cache: false` for subscriptions, so each event sees the registry as
 * it is now (still batched per tick).
 */
export function createLoaders(db: Db, options: { cache?: boolean } = {}): Loaders {
  return new Proxy<LoaderSlots>({ [DB]: db, [CACHE]: options.cache ?? true }, lazyLoaders) as unknown as Loaders;
}

type VersionPagePlan = Omit<VersionPageKey, 'modelId'>;

function planVersionPage(args: PageArgs & { stages?: Stage[] | null }, shape: VersionPageShape): VersionPagePlan {
  const plan = planModelVersionsPage(args);
  const group = JSON.stringify([plan.limit, plan.backward, plan.from, stagesKey(args.stages), shape.properties ?? '*', shape.withTags ?? false, shape.needsMore ?? true]);
  return { plan, stages: args.stages, shape, group };
}

const pageKeysOfRequest = new WeakMap<Loaders, Map<object, VersionPagePlan>>();

/**
 * The same field asks for a page of each of its parents' versions with the same arguments (its
 * field nodes, one set of variables): the key is planned once per request and field, not per model.
 */
export function versionPageKeyOnce(
  loaders: Loaders,
  field: object,
  modelId: number,
  args: PageArgs & { stages?: Stage[] | null },
  shape: () => VersionPageShape,
): VersionPageKey {
  let keys = pageKeysOfRequest.get(loaders);
  if (!keys) pageKeysOfRequest.set(loaders, (keys = new Map()));
  let planned = keys.get(field);
  if (!planned) keys.set(field, (planned = planVersionPage(args, shape())));
  return { ...planned, modelId };
}

export function transitionPageKey(versionId: number, args: PageArgs): TransitionPageKey {
  const plan = planVersionTransitionsPage(args);
  return { versionId, plan, group: JSON.stringify([plan.limit, plan.backward, plan.from]) };
}

export function stagesKeyOf(id: number, stages: Stage[] | null | undefined): StagesKey {
  return { id, stages, group: stagesKey(stages) };
}

export function modelLookupKey(name: string, shape: ModelLookupShape): ModelLookupKey {
  const latest = shape.latestStages === undefined ? null : stagesKey(shape.latestStages);
  return { name, shape, group: JSON.stringify([shape.withTags ?? false, shape.withAliases ?? false, latest, shape.latestProperties ?? '*']) };
}

/** Whether latest versions fetched for `fetched` stages answer a request for `asked` ones. */
export function sameStages(fetched: Stage[] | null | undefined, asked: Stage[] | null | undefined): boolean {
  return stagesKey(fetched) === stagesKey(asked);
}

// Keyset pagination through the public API: every order and direction, mixed page sizes both ways,
// PageInfo, filters and totalCount, argument errors, stability under concurrent inserts, and
// Relay object identification (node, nodes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/server/limits.js';
import { databaseKinds } from './support/databases.js';
import { createModel, registerModel, transition } from './support/ops.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const PAGE_VARS = '$first: Int, $after: String, $last: Int, $before: String';
const PAGE_ARGS = 'first: $first, after: $after, last: $last, before: $before';

const MODELS_PAGE = `query(${PAGE_VARS}, $filter: RegisteredModelFilter, $orderBy: RegisteredModelOrder) {
  registeredModels(${PAGE_ARGS}, filter: $filter, orderBy: $orderBy) {
    totalCount ${PAGE_INFO} edges { cursor node { id name createdAt updatedAt } } } }`;

const VERSIONS_PAGE = `query(${PAGE_VARS}, $filter: ModelVersionFilter, $orderBy: ModelVersionOrder) {
  modelVersions(${PAGE_ARGS}, filter: $filter, orderBy: $orderBy) {
    totalCount ${PAGE_INFO} edges { cursor node { id name version stage source runId createdAt updatedAt } } } }`;

const TRANSITIONS_PAGE = `query(${PAGE_VARS}, $filter: StageTransitionFilter) {
  stageTransitions(${PAGE_ARGS}, filter: $filter) {
    totalCount ${PAGE_INFO} edges { cursor node { id name version fromStage toStage } } } }`;

const MODEL_VERSIONS_PAGE = `query($name: String!, ${PAGE_VARS}, $stages: [Stage!]) {
  registeredModel(name: $name) { versions(${PAGE_ARGS}, stages: $stages) {
    totalCount ${PAGE_INFO} edges { cursor node { id version stage } } } } }`;

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: any }[];
}
type PageArgs = { first?: number; after?: string | null; last?: number; before?: string | null };
type Fetch = (args: PageArgs) => Promise<Connection>;

const SIZES_FORWARD = [5, 10, 20, 100];
const SIZES_BACKWARD = [20, 5, 100, 10];

/**
 * Reads a whole connection page by page, forward (first/after) or backward (last/before),
 * checking each page's PageInfo; returns the nodes in the connection's order.
 */
async function walk(fetch: Fetch, sizes: number[], backward: boolean, total?: number): Promise<any[]> {
  const nodes: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; ; i++) {
    expect(i, 'too many pages').toBeLessThan(100);
    const size = sizes[i % sizes.length];
    const page: Connection = await fetch(backward ? { last: size, before: cursor } : { first: size, after: cursor });
    const { pageInfo, edges } = page;
    total ??= page.totalCount;
    expect(page.totalCount).toBe(total);
    expect(edges.length).toBeLessThanOrEqual(size);
    expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    const more = backward ? pageInfo.hasPreviousPage : pageInfo.hasNextPage;
    // Reading from an end: nothing lies beyond it.
    if (cursor === null) expect(backward ? pageInfo.hasNextPage : pageInfo.hasPreviousPage).toBe(false);
    if (backward) nodes.unshift(...edges.map((e) => e.node));
    else nodes.push(...edges.map((e) => e.node));
    if (!more) break;
    expect(edges.length, 'a page before the last is full').toBe(size);
    cursor = backward ? pageInfo.startCursor : pageInfo.endCursor;
  }
  expect(nodes).toHaveLength(total!);
  return nodes;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The expected order: by key, ties by creation order (ids are issued in creation order). */
function ordered<T extends { seq: number }>(items: T[], key: (item: T) => string | number, direction: 'ASC' | 'DESC'): T[] {
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)) || a.seq - b.seq);
  return direction === 'ASC' ? sorted : sorted.reverse();
}

function expectArgumentError(result: { status: number; errors?: { message: string; extensions?: Record<string, unknown> }[] }, message?: RegExp) {
  expect(result.status).toBeLessThan(500);
  expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
  expect(result.errors![0].extensions?.code, JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
  if (message) expect(result.errors![0].message).toMatch(message);
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe.each(databaseKinds)('pagination (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    // Seeding sends 50 aliased mutations per operation: above the client limits, so raised here.
    r = await startRegistry(kind, { limits: { ...DEFAULT_LIMITS, maxAliases: 1000, maxRootFields: 1000 } });
  });
  afterAll(() => r.stop());

  const models: Fetch = (args) => r.gql(MODELS_PAGE, args).then((d) => d.registeredModels);

  describe('registeredModels', () => {
    // 50 models created in one request (so createdAt ties happen and ids break them), named out
    // of creation order in both cases ('X' sorts before 'x' in code-point order), then a
    // third of them edited in another order so updatedAt differs from createdAt.
    const PREFIX = 'pm-';
    let all: { seq: number; id: string; name: string; createdAt: string; updatedAt: string }[] = [];
    const filter = { name: { like: `${PREFIX}%` } };

    beforeAll(async () => {
      const names = Array.from({ length: 50 }, (_, i) => `${PREFIX}${i % 2 ? 'X' : 'x'}${String((i * 37) % 50).padStart(2, '0')}`);
      const created = await r.gql(`mutation { ${names.map((n, i) => `m${i}: createRegisteredModel(input: { name: "${n}" }) { __typename }`).join('\n')} }`);
      expect(Object.values(created).every((c: any) => c.__typename === 'CreateRegisteredModelPayload')).toBe(true);
      const edits = names.filter((_, i) => i % 3 === 0).reverse();
      await r.gql(`mutation { ${edits.map((n, i) => `u${i}: updateRegisteredModel(input: { name: "${n}", description: "edited" }) { __typename }`).join('\n')} }`);
      const data = await r.gql(`query($filter: RegisteredModelFilter) { registeredModels(first: 1000, filter: $filter) { edges { node { id name createdAt updatedAt } } } }`, { filter });
      const byName = new Map(data.registeredModels.edges.map((e: any) => [e.node.name, e.node]));
      all = names.map((name, seq) => ({ seq, ...(byName.get(name) as any) }));
      expect(all.every((m) => m.id)).toBe(true);
      // The data really exercises the orders: updatedAt differs from createdAt for the edited ones.
      expect(all.filter((m) => m.updatedAt !== m.createdAt)).toHaveLength(edits.length);
    });

    const keys = {
      NAME: (m: { name: string }) => m.name,
      CREATED_AT: (m: { createdAt: string }) => m.createdAt,
      UPDATED_AT: (m: { updatedAt: string }) => m.updatedAt,
    } as const;

    for (const field of ['NAME', 'CREATED_AT', 'UPDATED_AT'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        it(`${field} ${direction}: forward and backward walks with mixed page sizes give the full order`, async () => {
          const orderBy = { field, direction };
          const expected = ordered(all, keys[field], direction).map((m) => m.name);
          const fetch: Fetch = (args) => models({ ...args, filter, orderBy } as PageArgs);
          const forward = await walk(fetch, SIZES_FORWARD, false, 50);
          expect(forward.map((m) => m.name)).toEqual(expected);
          const backward = await walk(fetch, SIZES_BACKWARD, true, 50);
          expect(backward.map((m) => m.name)).toEqual(expected);
          const single = await walk(fetch, [1000], false, 50);
          expect(single.map((m) => m.name)).toEqual(expected);
        });
      }
    }

    it('NAME order is by code point, not by locale: upper case sorts before lower case', async () => {
      const page = await models({ first: 3, filter } as PageArgs);
      expect(page.edges.map((e) => e.node.name)).toEqual(['pm-X01', 'pm-X03', 'pm-X05']);
    });

    it('PageInfo at the ends and past them: empty pages have null cursors and no next page', async () => {
      const fetch: Fetch = (args) => models({ ...args, filter } as PageArgs);
      const lastPage = await fetch({ last: 5 });
      expect(lastPage.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const pastEnd = await fetch({ first: 5, after: lastPage.pageInfo.endCursor });
      expect(pastEnd.edges).toEqual([]);
      expect(pastEnd.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
      expect(pastEnd.totalCount).toBe(50);

      const firstPage = await fetch({ first: 5 });
      const beforeStart = await fetch({ last: 5, before: firstPage.pageInfo.startCursor });
      expect(beforeStart.edges).toEqual([]);
      expect(beforeStart.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });

      const exactly = await fetch({ first: 50 });
      expect(exactly.edges).toHaveLength(50);
      expect(exactly.pageInfo.hasNextPage).toBe(false);
      const oneShort = await fetch({ first: 49 });
      expect(oneShort.pageInfo.hasNextPage).toBe(true);

      const none = await models({ first: 5, filter: { name: { equals: 'pm-nothing' } } } as PageArgs);
      expect(none).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    });

    it('first: 0 returns no edges but reports that there are more (Relay: more edges than first)', async () => {
      const zero = await models({ first: 0, filter } as PageArgs);
      expect(zero.edges).toEqual([]);
      expect(zero.pageInfo).toMatchObject({ hasNextPage: true, startCursor: null, endCursor: null });
      const zeroBack = await models({ last: 0, filter } as PageArgs);
      expect(zeroBack.pageInfo).toMatchObject({ hasPreviousPage: true });
      const empty = await models({ first: 0, filter: { name: { equals: 'pm-nothing' } } } as PageArgs);
      expect(empty.pageInfo).toMatchObject({ hasNextPage: false });
    });

    it('a cursor is accepted by the same order spelled out and the same filter with explicit nulls', async () => {
      const first = await models({ first: 10, filter } as PageArgs);
      const defaultOrder = await models({ first: 10, after: first.pageInfo.endCursor, filter } as PageArgs);
      const explicit = await models({ first: 10, after: first.pageInfo.endCursor, filter: { name: { like: `${PREFIX}%`, ilike: null }, tags: null }, orderBy: { field: 'NAME', direction: 'ASC' } } as PageArgs);
      expect(explicit.edges.map((e) => e.node.name)).toEqual(defaultOrder.edges.map((e) => e.node.name));
      expect(explicit.edges).toHaveLength(10);
    });
  });

  it('default order is NAME ASC and the default page is 50, forward and backward', async () => {
    const names = Array.from({ length: 55 }, (_, i) => `dp-${String((i * 7) % 55).padStart(2, '0')}`);
    await r.gql(`mutation { ${names.map((n, i) => `m${i}: createRegisteredModel(input: { name: "${n}" }) { __typename }`).join('\n')} }`);
    const sorted = [...names].sort();
    const filter = { name: { like: 'dp-%' } };
    const page = await models({ filter } as PageArgs);
    expect(page.edges.map((e) => e.node.name)).toEqual(sorted.slice(0, 50));
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await models({ filter, after: page.pageInfo.endCursor } as PageArgs);
    expect(rest.edges.map((e) => e.node.name)).toEqual(sorted.slice(50));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const back = await models({ filter, before: rest.pageInfo.startCursor } as PageArgs);
    expect(back.edges.map((e) => e.node.name)).toEqual(sorted.slice(0, 50));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
    const tail = await models({ filter, last: 3 } as PageArgs);
    expect(tail.edges.map((e) => e.node.name)).toEqual(sorted.slice(-3));

    // With no filter at all, the whole registry in name order.
    const everything = await r.gql(`{ registeredModels { edges { node { name } } } }`);
    const everyName = everything.registeredModels.edges.map((e: any) => e.node.name);
    expect(everyName).toHaveLength(50);
    expect(everyName).toEqual([...everyName].sort());
  });

  describe('modelVersions and a model’s versions', () => {
    // 5 models × 10 versions, created round-robin so VERSION, CREATED_AT and UPDATED_AT orders
    // all differ; some versions are then moved between stages (which updates updatedAt).
    const MODELS = ['pv-a', 'pv-b', 'pv-c', 'pv-d', 'pv-e'];
    let all: { seq: number; id: string; name: string; version: number; stage: string; source: string; runId: string; createdAt: string; updatedAt: string }[] = [];
    const filter = { name: { like: 'pv-%' } };
    const versions: Fetch = (args) => r.gql(VERSIONS_PAGE, args).then((d) => d.modelVersions);

    beforeAll(async () => {
      const ops: string[] = [];
      for (let v = 1; v <= 10; v++) {
        for (const name of MODELS) {
          const tags = [`{ key: "parity", value: "${v % 2 ? 'odd' : 'even'}" }`, ...(v % 5 === 0 ? ['{ key: "milestone", value: "yes" }'] : [])];
          ops.push(`v${ops.length}: registerModel(input: { name: "${name}", source: "s3://pv/${name}/${v}", runId: "run-${v % 3}", tags: [${tags.join(', ')}] }) { __typename }`);
        }
      }
      const created = await r.gql(`mutation { ${ops.join('\n')} }`);
      expect(Object.values(created).every((c: any) => c.__typename === 'RegisterModelPayload')).toBe(true);
      const moves: string[] = [];
      for (const [i, name] of [...MODELS].reverse().entries()) {
        moves.push(`s${i}a: transitionModelVersionStage(input: { name: "${name}", version: ${(i % 4) + 2}, stage: STAGING }) { __typename }`);
        moves.push(`s${i}b: transitionModelVersionStage(input: { name: "${name}", version: ${(i % 3) + 7}, stage: PRODUCTION }) { __typename }`);
      }
      const moved = await r.gql(`mutation { ${moves.join('\n')} }`);
      expect(Object.values(moved).every((c: any) => c.__typename === 'TransitionModelVersionStagePayload')).toBe(true);
      const data = await r.gql(`query($filter: ModelVersionFilter) { modelVersions(first: 1000, filter: $filter) { edges { node { id name version stage source runId createdAt updatedAt } } } }`, { filter });
      const byKey = new Map(data.modelVersions.edges.map((e: any) => [`${e.node.name}/${e.node.version}`, e.node]));
      all = [];
      for (let v = 1; v <= 10; v++) for (const name of MODELS) all.push({ seq: all.length, ...(byKey.get(`${name}/${v}`) as any) });
      expect(all.every((v) => v.id)).toBe(true);
      expect(all.filter((v) => v.stage !== 'NONE')).toHaveLength(10);
    });

    const keys = {
      VERSION: (v: { version: number }) => v.version,
      CREATED_AT: (v: { createdAt: string }) => v.createdAt,
      UPDATED_AT: (v: { updatedAt: string }) => v.updatedAt,
    } as const;
    const label = (v: { name: string; version: number }) => `${v.name}/${v.version}`;

    for (const field of ['VERSION', 'CREATED_AT', 'UPDATED_AT'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        it(`modelVersions ${field} ${direction}: forward and backward walks give the full order`, async () => {
          const orderBy = { field, direction };
          const expected = ordered(all, keys[field], direction).map(label);
          const fetch: Fetch = (args) => versions({ ...args, filter, orderBy } as PageArgs);
          expect((await walk(fetch, SIZES_FORWARD, false, 50)).map(label)).toEqual(expected);
          expect((await walk(fetch, SIZES_BACKWARD, true, 50)).map(label)).toEqual(expected);
        });
      }
    }

    it('modelVersions defaults to CREATED_AT DESC', async () => {
      const page = await versions({ first: 7, filter } as PageArgs);
      expect(page.edges.map((e) => label(e.node))).toEqual(ordered(all, keys.CREATED_AT, 'DESC').slice(0, 7).map(label));
    });

    it('modelVersions filters: stages, runId, source, name, tags; totalCount matches', async () => {
      const check = async (f: Record<string, unknown>, expected: typeof all) => {
        const page = await versions({ first: 1000, filter: f, orderBy: { field: 'CREATED_AT', direction: 'ASC' } } as PageArgs);
        expect(page.edges.map((e) => label(e.node)), JSON.stringify(f)).toEqual(expected.map(label));
        expect(page.totalCount).toBe(expected.length);
      };
      await check({ ...filter, stages: ['STAGING'] }, all.filter((v) => v.stage === 'STAGING'));
      await check({ ...filter, stages: ['STAGING', 'PRODUCTION'] }, all.filter((v) => v.stage !== 'NONE'));
      await check({ ...filter, stages: [] }, []);
      await check({ ...filter, runId: 'run-1' }, all.filter((v) => v.runId === 'run-1'));
      await check({ runId: 'run-none' }, []);
      await check({ source: { equals: 's3://pv/pv-c/4' } }, all.filter((v) => v.source === 's3://pv/pv-c/4'));
      await check({ source: { like: 's3://pv/pv-b/%' } }, all.filter((v) => v.name === 'pv-b'));
      await check({ source: { like: 'S3://PV/%' } }, []);
      await check({ source: { ilike: 'S3://PV/PV-A/1%' } }, all.filter((v) => v.name === 'pv-a' && [1, 10].includes(v.version)));
      await check({ name: { equals: 'pv-d' } }, all.filter((v) => v.name === 'pv-d'));
      await check({ name: { in: ['pv-a', 'pv-e', 'pv-zz'] } }, all.filter((v) => ['pv-a', 'pv-e'].includes(v.name)));
      await check({ ...filter, tags: [{ key: 'milestone' }] }, all.filter((v) => v.version % 5 === 0));
      await check({ ...filter, tags: [{ key: 'parity', value: { equals: 'odd' } }] }, all.filter((v) => v.version % 2 === 1));
      await check({ ...filter, tags: [{ key: 'parity', value: { equals: 'odd' } }, { key: 'milestone' }] }, all.filter((v) => v.version === 5));
      await check({ ...filter, tags: [{ key: 'parity', value: { like: 'e%' } }, { key: 'milestone', value: { equals: 'yes' } }] }, all.filter((v) => v.version === 10));
      await check({ name: { equals: 'pv-a' }, stages: ['PRODUCTION'], runId: `run-${all.find((v) => v.name === 'pv-a' && v.stage === 'PRODUCTION')!.version % 3}` }, all.filter((v) => v.name === 'pv-a' && v.stage === 'PRODUCTION'));
    });

    it('a model’s versions: newest first, walked both ways, with and without a stage filter', async () => {
      const ops = Array.from({ length: 50 }, (_, i) => `v${i}: registerModel(input: { name: "pw-model", source: "s3://pw/${i + 1}" }) { __typename }`);
      await r.gql(`mutation { ${ops.join('\n')} }`);
      for (const v of [4, 8, 12, 16, 20, 24, 28, 33, 47]) await transition(r, { name: 'pw-model', version: v, stage: 'STAGING' });
      const fetch =
        (stages?: string[]): Fetch =>
        (args) => r.gql(MODEL_VERSIONS_PAGE, { name: 'pw-model', ...args, stages }).then((d) => d.registeredModel.versions);
      const all50 = Array.from({ length: 50 }, (_, i) => 50 - i);
      expect((await walk(fetch(), SIZES_FORWARD, false, 50)).map((v) => v.version)).toEqual(all50);
      expect((await walk(fetch(), SIZES_BACKWARD, true, 50)).map((v) => v.version)).toEqual(all50);
      const staged = [47, 33, 28, 24, 20, 16, 12, 8, 4];
      expect((await walk(fetch(['STAGING']), [2, 3], false, 9)).map((v) => v.version)).toEqual(staged);
      expect((await walk(fetch(['STAGING']), [4], true, 9)).map((v) => v.version)).toEqual(staged);
      expect(await walk(fetch(['PRODUCTION']), [5], false, 0)).toEqual([]);
      // An empty stage list matches nothing, in every stage-filtered field.
      expect(await walk(fetch([]), [5], false, 0)).toEqual([]);
      const latest = await r.gql(`{ registeredModel(name: "pw-model") { none: latestVersions(stages: []) { version } staging: latestVersions(stages: [STAGING]) { version } all: latestVersions { version stage } } }`);
      expect(latest.registeredModel).toEqual({ none: [], staging: [{ version: 47 }], all: [{ version: 50, stage: 'NONE' }, { version: 47, stage: 'STAGING' }] });
      const defaults = await fetch()({});
      expect(defaults.edges).toHaveLength(50);
      expect(defaults.pageInfo.hasNextPage).toBe(false);

      // A cursor from the stage-filtered list does not fit the unfiltered one.
      const stagedPage = await fetch(['STAGING'])({ first: 2 });
      const wrong = await r.request(MODEL_VERSIONS_PAGE, { name: 'pw-model', first: 2, after: stagedPage.pageInfo.endCursor });
      expectArgumentError(wrong, /another filter or order/);
    });
  });

  it('stageTransitions: commit order, both directions, filtered by name and toStages', async () => {
    await createModel(r, 'pt-model');
    await r.gql(`mutation { ${Array.from({ length: 10 }, (_, i) => `v${i}: createModelVersion(input: { name: "pt-model", source: "s3://pt/${i}" }) { __typename }`).join('\n')} }`);
    const cycle = ['STAGING', 'PRODUCTION', 'ARCHIVED', 'NONE', 'STAGING'];
    const moves: string[] = [];
    for (const stage of cycle) for (let v = 1; v <= 10; v++) moves.push(`t${moves.length}: transitionModelVersionStage(input: { name: "pt-model", version: ${v}, stage: ${stage} }) { ... on TransitionModelVersionStagePayload { transitions { id } } }`);
    // A second model's changes interleave with these ones in commit order.
    await registerModel(r, 'pt-other');
    const data = await r.gql(`mutation { ${moves.join('\n')} o: transitionModelVersionStage(input: { name: "pt-other", version: 1, stage: STAGING }) { __typename } }`);
    const expected = moves.map((_, i) => data[`t${i}`].transitions[0].id);
    const fetch =
      (f: Record<string, unknown>): Fetch =>
      (args) => r.gql(TRANSITIONS_PAGE, { ...args, filter: f }).then((d) => d.stageTransitions);
    expect((await walk(fetch({ name: 'pt-model' }), SIZES_FORWARD, false, 50)).map((t) => t.id)).toEqual(expected);
    expect((await walk(fetch({ name: 'pt-model' }), SIZES_BACKWARD, true, 50)).map((t) => t.id)).toEqual(expected);
    const toStaging = await walk(fetch({ name: 'pt-model', toStages: ['STAGING'] }), [3, 7], false, 20);
    expect(toStaging.map((t) => t.id)).toEqual(expected.filter((_, i) => i < 10 || i >= 40));
    expect(toStaging.every((t) => t.toStage === 'STAGING' && t.name === 'pt-model')).toBe(true);
    expect(await walk(fetch({ name: 'pt-model', toStages: [] }), [5], false, 0)).toEqual([]);
    // Unfiltered, the registry-wide commit order: these changes in order, then the other model's.
    const everyone = (await walk(fetch({}), [7, 30], false)).map((t) => t.id);
    const start = everyone.indexOf(expected[0]);
    expect(everyone.slice(start, start + 50)).toEqual(expected);
    const other = await r.gql(TRANSITIONS_PAGE, { first: 5, filter: { name: 'pt-other' } });
    expect(other.stageTransitions.edges).toHaveLength(1);
    expect(everyone[start + 50]).toBe(other.stageTransitions.edges[0].node.id);
  });

  describe('filters on registeredModels', () => {
    beforeAll(async () => {
      const specs: [string, Record<string, string>][] = [
        ['fl-Alpha', { 'fl-team': 'ml', 'fl-env': 'prod' }],
        ['fl-alpha', { 'fl-team': 'ml', 'fl-env': 'dev' }],
        ['fl-ALPHA-2', { 'fl-team': 'data' }],
        ['fl-beta', { 'fl-env': 'prod' }],
        ['fl-b_ta', {}],
        ['fl-100%', { 'fl-env': 'Prod' }],
      ];
      for (const [name, tags] of specs) {
        const created = await createModel(r, name, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
        expect(created.__typename).toBe('CreateRegisteredModelPayload');
      }
    });

    const cases: [string, Record<string, unknown>, string[]][] = [
      ['equals', { name: { equals: 'fl-alpha' } }, ['fl-alpha']],
      ['equals is exact and case-sensitive', { name: { equals: 'fl-ALPHA' } }, []],
      ['in', { name: { in: ['fl-alpha', 'fl-beta', 'fl-nope'] } }, ['fl-alpha', 'fl-beta']],
      ['in with no values matches nothing', { name: { in: [] } }, []],
      ['like is case-sensitive', { name: { like: 'fl-alpha%' } }, ['fl-alpha']],
      ['like with upper case', { name: { like: 'fl-A%' } }, ['fl-ALPHA-2', 'fl-Alpha']],
      ['ilike is case-insensitive', { name: { ilike: 'FL-ALPHA%' } }, ['fl-ALPHA-2', 'fl-Alpha', 'fl-alpha']],
      ['_ matches one character', { name: { like: 'fl-b_ta' } }, ['fl-b_ta', 'fl-beta']],
      ['% matches any run, including a literal %', { name: { like: 'fl-1%' } }, ['fl-100%']],
      ['set fields are ANDed', { name: { ilike: 'fl-alpha%', like: '%a' } }, ['fl-Alpha', 'fl-alpha']],
      ['equals and in ANDed', { name: { equals: 'fl-beta', in: ['fl-alpha'] } }, []],
      ['tag key only', { tags: [{ key: 'fl-team' }] }, ['fl-ALPHA-2', 'fl-Alpha', 'fl-alpha']],
      ['tag key and value', { tags: [{ key: 'fl-env', value: { equals: 'prod' } }] }, ['fl-Alpha', 'fl-beta']],
      ['tag value ilike', { tags: [{ key: 'fl-env', value: { ilike: 'PROD' } }] }, ['fl-100%', 'fl-Alpha', 'fl-beta']],
      ['tag value in', { tags: [{ key: 'fl-env', value: { in: ['dev', 'Prod'] } }] }, ['fl-100%', 'fl-alpha']],
      ['two tags are ANDed', { tags: [{ key: 'fl-team', value: { equals: 'ml' } }, { key: 'fl-env', value: { equals: 'prod' } }] }, ['fl-Alpha']],
      ['a key that no model has', { tags: [{ key: 'fl-none' }] }, []],
      ['the value must be on the same tag as the key', { tags: [{ key: 'fl-team', value: { equals: 'prod' } }] }, []],
      ['name and tags ANDed', { name: { like: 'fl-b%' }, tags: [{ key: 'fl-env' }] }, ['fl-beta']],
    ];
    for (const [title, filter, expected] of cases) {
      it(`${title}; totalCount matches`, async () => {
        const page = await models({ first: 100, filter } as PageArgs);
        expect(page.edges.map((e) => e.node.name)).toEqual(expected);
        expect(page.totalCount).toBe(expected.length);
        // Paging one at a time through a filtered list gives the same.
        if (expected.length) expect((await walk((args) => models({ ...args, filter } as PageArgs), [1], false, expected.length)).map((m) => m.name)).toEqual(expected);
      });
    }
  });

  describe('argument errors are GraphQL errors with extensions.code, never a 500', () => {
    let cursors: { models: string; modelsByCreated: string; versions: string; transitions: string; modelVersions: string };
    beforeAll(async () => {
      await registerModel(r, 'ae-model');
      await registerModel(r, 'ae-model');
      await transition(r, { name: 'ae-model', version: 1, stage: 'STAGING' });
      const data = await r.gql(`{
        a: registeredModels(first: 1) { pageInfo { endCursor } }
        b: registeredModels(first: 1, orderBy: { field: CREATED_AT, direction: ASC }) { pageInfo { endCursor } }
        c: modelVersions(first: 1) { pageInfo { endCursor } }
        d: stageTransitions(first: 1) { pageInfo { endCursor } }
        e: registeredModel(name: "ae-model") { versions(first: 1) { pageInfo { endCursor } } } }`);
      cursors = {
        models: data.a.pageInfo.endCursor,
        modelsByCreated: data.b.pageInfo.endCursor,
        versions: data.c.pageInfo.endCursor,
        transitions: data.d.pageInfo.endCursor,
        modelVersions: data.e.versions.pageInfo.endCursor,
      };
    });

    const connections = [
      ['registeredModels', MODELS_PAGE, {}],
      ['modelVersions', VERSIONS_PAGE, {}],
      ['stageTransitions', TRANSITIONS_PAGE, {}],
      ['registeredModel.versions', MODEL_VERSIONS_PAGE, { name: 'ae-model' }],
    ] as const;

    for (const [field, query, base] of connections) {
      it(`${field}: page sizes, conflicting arguments and malformed cursors`, async () => {
        const bad: [Record<string, unknown>, RegExp][] = [
          [{ first: 1001 }, /at most 1000/],
          [{ first: -1 }, /negative/],
          [{ last: 1001 }, /at most 1000/],
          [{ last: -1 }, /negative/],
          [{ first: 1, last: 1 }, /not both/],
          [{ first: 1, after: 'x', before: 'y' }, /not both/],
          [{ first: 1, after: 'evilhax' }, /Malformed cursor/],
          [{ last: 1, before: 'evilhax' }, /Malformed cursor/],
          [{ first: 1, after: '' }, /Malformed cursor/],
          [{ first: 1, after: b64('{"a":1}') }, /Malformed cursor/],
          [{ first: 1, after: Buffer.from(JSON.stringify(['x', 1])).toString('base64url') }, /Malformed cursor/],
        ];
        for (const [args, message] of bad) expectArgumentError(await r.request(query, { ...base, ...args }), message);
        // At the limit is fine.
        const ok = await r.request(query, { ...base, first: 1000 });
        expect(ok.errors).toBeUndefined();
        // A page size that is not an Int at all fails validation: a client error too.
        const notInt = await r.request(query, { ...base, first: 2 ** 40 });
        expect(notInt.status).toBeGreaterThanOrEqual(400);
        expect(notInt.status).toBeLessThan(500);
      });
    }

    it('a cursor from another connection, filter or order is rejected', async () => {
      const foreign: [string, Record<string, unknown>][] = [
        [MODELS_PAGE, { first: 1, after: cursors.versions }],
        [MODELS_PAGE, { first: 1, after: cursors.transitions }],
        [MODELS_PAGE, { first: 1, after: cursors.models, orderBy: { field: 'CREATED_AT', direction: 'ASC' } }],
        [MODELS_PAGE, { first: 1, after: cursors.models, orderBy: { field: 'NAME', direction: 'DESC' } }],
        [MODELS_PAGE, { last: 1, before: cursors.modelsByCreated, orderBy: { field: 'UPDATED_AT', direction: 'ASC' } }],
        [MODELS_PAGE, { first: 1, after: cursors.models, filter: { name: { like: 'a%' } } }],
        [MODELS_PAGE, { first: 1, after: cursors.models, filter: { tags: [{ key: 'x' }] } }],
        [VERSIONS_PAGE, { first: 1, after: cursors.models }],
        [VERSIONS_PAGE, { first: 1, after: cursors.modelVersions }],
        [VERSIONS_PAGE, { first: 1, after: cursors.versions, orderBy: { field: 'VERSION', direction: 'DESC' } }],
        [VERSIONS_PAGE, { first: 1, after: cursors.versions, filter: { stages: ['NONE'] } }],
        [TRANSITIONS_PAGE, { first: 1, after: cursors.versions }],
        [TRANSITIONS_PAGE, { first: 1, after: cursors.transitions, filter: { name: 'ae-model' } }],
        [MODEL_VERSIONS_PAGE, { name: 'ae-model', first: 1, after: cursors.versions }],
        [MODEL_VERSIONS_PAGE, { name: 'ae-model', first: 1, after: cursors.modelVersions, stages: ['NONE'] }],
      ];
      for (const [query, vars] of foreign) expectArgumentError(await r.request(query, vars), /another filter or order|Malformed cursor/);
      // The cursors do work where they came from.
      expect((await r.request(MODELS_PAGE, { first: 1, after: cursors.models })).errors).toBeUndefined();
      expect((await r.request(MODEL_VERSIONS_PAGE, { name: 'ae-model', first: 1, after: cursors.modelVersions })).errors).toBeUndefined();
    });

    it('a tampered cursor (right scope, wrong key or id) is malformed, not a database error', async () => {
      const tamper = (cursor: string, key: unknown, id?: unknown) => {
        const [scope, k, i] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
        void k;
        return Buffer.from(JSON.stringify([scope, key, id ?? i])).toString('base64url');
      };
      const createdAsc = { orderBy: { field: 'CREATED_AT', direction: 'ASC' } };
      const cases: [string, Record<string, unknown>][] = [
        [MODELS_PAGE, { first: 1, after: tamper(cursors.modelsByCreated, 'not a date'), ...createdAsc }],
        [MODELS_PAGE, { first: 1, after: tamper(cursors.modelsByCreated, 12345), ...createdAsc }],
        [MODELS_PAGE, { first: 1, after: tamper(cursors.modelsByCreated, '2026-01-01T00:00:00.000Z', 2 ** 40), ...createdAsc }],
        [MODELS_PAGE, { first: 1, after: tamper(cursors.models, 42) }],
        [VERSIONS_PAGE, { first: 1, after: tamper(cursors.versions, 'yesterday') }],
        [TRANSITIONS_PAGE, { first: 1, after: tamper(cursors.transitions, 'x') }],
        [TRANSITIONS_PAGE, { first: 1, after: tamper(cursors.transitions, 1.5) }],
        [MODEL_VERSIONS_PAGE, { name: 'ae-model', first: 1, after: tamper(cursors.modelVersions, 'x') }],
        [MODEL_VERSIONS_PAGE, { name: 'ae-model', first: 1, after: tamper(cursors.modelVersions, 2 ** 40) }],
      ];
      for (const [query, vars] of cases) expectArgumentError(await r.request(query, vars), /Malformed cursor/);
      // A well-formed cursor pointing at nothing that exists is simply a position.
      const later = await r.request(MODELS_PAGE, { first: 1, after: tamper(cursors.modelsByCreated, '2999-01-01T00:00:00.000Z'), ...createdAsc });
      expect(later.errors).toBeUndefined();
      expect(later.data.registeredModels.edges).toEqual([]);
    });

    it('filter values are checked too', async () => {
      expectArgumentError(await r.request(MODELS_PAGE, { first: 1, filter: { name: { in: Array.from({ length: 101 }, (_, i) => `n${i}`) } } }));
      expectArgumentError(await r.request(MODELS_PAGE, { first: 1, filter: { name: { equals: 'a\u0000b' } } }));
      expectArgumentError(await r.request(VERSIONS_PAGE, { first: 1, filter: { runId: 'x'.repeat(5001) } }));
      expectArgumentError(await r.request(MODELS_PAGE, { first: 1, filter: { tags: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}` })) } }));
    });
  });

  describe('keyset stability', () => {
    it('inserting and deleting models between page fetches neither skips nor duplicates (NAME ASC)', async () => {
      const names = Array.from({ length: 20 }, (_, i) => `ks-b${String(i).padStart(2, '0')}`);
      for (const n of names) await createModel(r, n);
      const filter = { name: { like: 'ks-%' } };
      const first = await models({ first: 5, filter } as PageArgs);
      expect(first.edges.map((e) => e.node.name)).toEqual(names.slice(0, 5));
      // Behind the cursor, between the cursor and the next item, and at the end.
      for (const n of ['ks-a00', 'ks-b045', 'ks-c00']) await createModel(r, n);
      // The row the cursor names, and one ahead, go away.
      for (const n of ['ks-b04', 'ks-b10']) await r.gql(`mutation { deleteRegisteredModel(input: { name: "${n}" }) { __typename } }`);
      const seen = first.edges.map((e) => e.node.name);
      let cursor = first.pageInfo.endCursor;
      for (;;) {
        const page = await models({ first: 5, after: cursor, filter } as PageArgs);
        seen.push(...page.edges.map((e) => e.node.name));
        if (!page.pageInfo.hasNextPage) break;
        cursor = page.pageInfo.endCursor;
      }
      expect(seen).toEqual([...names.slice(0, 5), 'ks-b045', ...names.slice(5).filter((n) => n !== 'ks-b10'), 'ks-c00']);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('a model created while paging newest first does not shift later pages (CREATED_AT DESC)', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `kc-${String(i).padStart(2, '0')}`);
      for (const n of names) await createModel(r, n);
      const filter = { name: { like: 'kc-%' } };
      const orderBy = { field: 'CREATED_AT', direction: 'DESC' };
      const newestFirst = [...names].reverse();
      const first = await models({ first: 4, filter, orderBy } as PageArgs);
      expect(first.edges.map((e) => e.node.name)).toEqual(newestFirst.slice(0, 4));
      for (const n of ['kc-new1', 'kc-new2']) await createModel(r, n);
      const second = await models({ first: 4, after: first.pageInfo.endCursor, filter, orderBy } as PageArgs);
      expect(second.edges.map((e) => e.node.name)).toEqual(newestFirst.slice(4, 8));
      const third = await models({ first: 4, after: second.pageInfo.endCursor, filter, orderBy } as PageArgs);
      expect(third.edges.map((e) => e.node.name)).toEqual(newestFirst.slice(8));
      expect(third.pageInfo.hasNextPage).toBe(false);
      // Reading back from the first page's start finds the newcomers.
      const newer = await models({ last: 10, before: first.pageInfo.startCursor, filter, orderBy } as PageArgs);
      expect(newer.edges.map((e) => e.node.name)).toEqual(['kc-new2', 'kc-new1']);
      expect(third.totalCount).toBe(14);
    });
  });

  describe('node and nodes', () => {
    const NODE = `query($id: ID!) { node(id: $id) { __typename id
      ... on RegisteredModel { name } ... on ModelVersion { name version }
      ... on StageTransition { name version toStage modelVersion { version } } } }`;
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on RegisteredModel { name } ... on ModelVersion { version } ... on StageTransition { toStage } } }`;
    let ids: { model: string; version: string; version2: string; transition: string };

    beforeAll(async () => {
      const registered = await registerModel(r, 'nd-model');
      const second = await registerModel(r, 'nd-model');
      const moved = await transition(r, { name: 'nd-model', version: 1, stage: 'STAGING' });
      ids = { model: registered.registeredModel.id, version: registered.modelVersion.id, version2: second.modelVersion.id, transition: moved.transitions[0].id };
    });

    it('node resolves each kind by its global id', async () => {
      expect((await r.gql(NODE, { id: ids.model })).node).toEqual({ __typename: 'RegisteredModel', id: ids.model, name: 'nd-model' });
      expect((await r.gql(NODE, { id: ids.version })).node).toEqual({ __typename: 'ModelVersion', id: ids.version, name: 'nd-model', version: 1 });
      expect((await r.gql(NODE, { id: ids.transition })).node).toEqual({
        __typename: 'StageTransition',
        id: ids.transition,
        name: 'nd-model',
        version: 1,
        toStage: 'STAGING',
        modelVersion: { version: 1 },
      });
      expect(new Set(Object.values(ids)).size).toBe(4);
    });

    it('nodes keeps the order asked, repeats included, with null for what does not exist', async () => {
      const missing = b64('RegisteredModel:2147483647');
      const data = await r.gql(NODES, { ids: [ids.transition, ids.model, missing, ids.version, ids.model] });
      expect(data.nodes).toEqual([
        { __typename: 'StageTransition', id: ids.transition, toStage: 'STAGING' },
        { __typename: 'RegisteredModel', id: ids.model, name: 'nd-model' },
        null,
        { __typename: 'ModelVersion', id: ids.version, version: 1 },
        { __typename: 'RegisteredModel', id: ids.model, name: 'nd-model' },
      ]);
      expect((await r.gql(NODES, { ids: [] })).nodes).toEqual([]);
      expect((await r.gql(NODES, { ids: Array(100).fill(ids.model) })).nodes).toHaveLength(100);
      expectArgumentError(await r.request(NODES, { ids: Array(101).fill(ids.model) }), /100/);
    });

    it('deleted objects are null; the stage change outlives its version', async () => {
      const del = await r.gql(`mutation { deleteModelVersion(input: { name: "nd-model", version: 1 }) { ... on DeleteModelVersionPayload { deletedId } } }`);
      expect(del.deleteModelVersion.deletedId).toBe(ids.version);
      expect((await r.gql(NODE, { id: ids.version })).node).toBeNull();
      expect((await r.gql(NODE, { id: ids.transition })).node).toMatchObject({ __typename: 'StageTransition', modelVersion: null });
      const delModel = await r.gql(`mutation { deleteRegisteredModel(input: { name: "nd-model" }) { ... on DeleteRegisteredModelPayload { deletedId } } }`);
      expect(delModel.deleteRegisteredModel.deletedId).toBe(ids.model);
      expect((await r.gql(NODE, { id: ids.model })).node).toBeNull();
      expect((await r.gql(NODES, { ids: [ids.model, ids.version, ids.version2, ids.transition] })).nodes).toEqual([
        null,
        null,
        null,
        { __typename: 'StageTransition', id: ids.transition, toStage: 'STAGING' },
      ]);
    });

    it('a malformed or foreign id is a GraphQL error with extensions.code, never a 500', async () => {
      const malformed = [
        'evilhax',
        '',
        b64('RegisteredModel:abc'),
        b64('RegisteredModel:'),
        b64(':1'),
        b64('RegisteredModel:-1'),
        b64('RegisteredModel:99999999999'),
        b64('RegisteredModel:9999999999'),
        b64('ModelVersion:2147483648'),
        b64('Foo:1'),
        b64('Tag:1'),
        b64('Query:1'),
      ];
      for (const id of malformed) {
        const result = await r.request(NODE, { id });
        expectArgumentError(result, /Malformed global id|Unknown/);
        expect(result.data?.node ?? null).toBeNull();
        expectArgumentError(await r.request(NODES, { ids: [ids.transition, id] }));
      }
    });
  });
});

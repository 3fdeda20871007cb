// SQL statements per operation (extensions.sqlStatements): batched loaders make the count follow
// the query's shape, never its page sizes. A difference between page sizes is an N+1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const MODELS = 60;
const VERSIONS = 6;

const NESTED = `query($n: Int!, $m: Int!) { registeredModels(first: $n) { edges { node {
  name tags { key } aliases { alias } latestVersions { version }
  versions(first: $m) { edges { node { version stage source tags { key value } } } }
} } } }`;

const ONE_MODEL = `query($name: String!) { registeredModel(name: $name) {
  latestVersions(stages: [PRODUCTION]) { version } tags { key } aliases { alias }
} }`;

/** Seeds one model per request: registerModel, more versions, tags, an alias and two stage changes. */
async function seedModel(r: TestRegistry, name: string) {
  const ops: string[] = [];
  for (let v = 1; v <= VERSIONS; v++) {
    ops.push(`v${v}: registerModel(input: { name: "${name}", source: "s3://b/${name}/${v}", runId: "run-${v}",
      tags: [{ key: "k${v}", value: "x" }, { key: "shared", value: "${v}" }] }) { __typename }`);
  }
  ops.push(`t1: setRegisteredModelTag(input: { name: "${name}", key: "team", value: "ml" }) { __typename }`);
  ops.push(`t2: setRegisteredModelTag(input: { name: "${name}", key: "tier", value: "gold" }) { __typename }`);
  ops.push(`a1: setRegisteredModelAlias(input: { name: "${name}", alias: "champion", version: 2 }) { __typename }`);
  ops.push(`a2: setRegisteredModelAlias(input: { name: "${name}", alias: "challenger", version: 3 }) { __typename }`);
  ops.push(`s1: transitionModelVersionStage(input: { name: "${name}", version: 2, stage: PRODUCTION }) { __typename }`);
  ops.push(`s2: transitionModelVersionStage(input: { name: "${name}", version: 4, stage: STAGING }) { __typename }`);
  const data = await r.gql(`mutation { ${ops.join('\n')} }`);
  for (const [field, value] of Object.entries(data)) {
    expect((value as any).__typename, `${name} ${field}`).not.toMatch(/Error$/);
  }
}

describe.each(databaseKinds)('statement count (%s)', (kind) => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry(kind);
    for (let i = 0; i < MODELS; i++) await seedModel(r, `sc-${String(i).padStart(3, '0')}`);
  });
  afterAll(() => r.stop());

  async function count(query: string, variables: Record<string, unknown>) {
    const result = await r.request(query, variables);
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    return { data: result.data, statements: result.extensions?.sqlStatements as number };
  }

  it('the nested page query runs the same statements for 5×5, 50×5 and 50×50', async () => {
    const small = await count(NESTED, { n: 5, m: 5 });
    const wide = await count(NESTED, { n: 50, m: 5 });
    const deep = await count(NESTED, { n: 50, m: 50 });

    // The pages really are full, so a per-row statement would show.
    expect(small.data.registeredModels.edges).toHaveLength(5);
    expect(wide.data.registeredModels.edges).toHaveLength(50);
    for (const { node } of wide.data.registeredModels.edges) {
      expect(node.versions.edges.map((e: any) => e.node.version)).toEqual([6, 5, 4, 3, 2]);
      expect(node.tags.map((t: any) => t.key)).toEqual(['team', 'tier']);
      expect(node.aliases.map((a: any) => a.alias)).toEqual(['challenger', 'champion']);
      expect(node.latestVersions.map((v: any) => v.version)).toEqual([6, 4, 2]); // NONE, STAGING, PRODUCTION
      expect(node.versions.edges[0].node.tags).toEqual([{ key: 'k6', value: 'x' }, { key: 'shared', value: '6' }]);
    }
    for (const { node } of deep.data.registeredModels.edges) expect(node.versions.edges).toHaveLength(VERSIONS);
    expect(deep.data.registeredModels.edges[3].node.versions.edges[4].node).toEqual({
      version: 2,
      stage: 'PRODUCTION',
      source: `s3://b/sc-003/2`,
      tags: [{ key: 'k2', value: 'x' }, { key: 'shared', value: '2' }],
    });

    // models page, model tags, aliases, latest versions, version pages (with their tags).
    expect(small.statements).toBe(5);
    expect(wide.statements).toBe(small.statements);
    expect(deep.statements).toBe(small.statements);
  });

  it('version tags asked through fragments still come with the version pages; without tags the page skips them', async () => {
    const viaFragments = await count(
      `query { registeredModels(first: 3) { edges { node { versions(first: 2) { ...Versions } } } } }
       fragment Versions on ModelVersionConnection { edges { ... on ModelVersionEdge { node { ...V } } } }
       fragment V on ModelVersion { version tags { key value } }`,
      {},
    );
    expect(viaFragments.data.registeredModels.edges[0].node.versions.edges[0].node).toEqual({
      version: 6,
      tags: [{ key: 'k6', value: 'x' }, { key: 'shared', value: '6' }],
    });
    expect(viaFragments.statements).toBe(2); // models page, version pages with tags
    const withoutTags = await count(`query { registeredModels(first: 3) { edges { node { versions(first: 2) { edges { node { version } } } } } } }`, {});
    expect(withoutTags.statements).toBe(2);

    // Without pageInfo the page reads no extra row; with it, hasNextPage still knows.
    const bare = await count(`query { registeredModels(first: 3) { edges { node { versions(first: 2) { edges { node { version } } } } } } }`, {});
    const paged = await count(
      `query { registeredModels(first: 3) { edges { node { versions(first: 2) { edges { node { version } } pageInfo { hasNextPage } } } } } }`,
      {},
    );
    expect(paged.data.registeredModels.edges.map((e: any) => e.node.versions.edges)).toEqual(bare.data.registeredModels.edges.map((e: any) => e.node.versions.edges));
    expect(paged.data.registeredModels.edges[0].node.versions.pageInfo.hasNextPage).toBe(true);
    const whole = await count(`query { registeredModels(first: 1) { edges { node { versions(first: 6) { pageInfo { hasNextPage } } } } } }`, {});
    expect(whole.data.registeredModels.edges[0].node.versions.pageInfo.hasNextPage).toBe(false);

    // One fragment in two places, merged with more fields in one of them: each place reads what it selects.
    const merged = await count(
      `query { a: registeredModels(first: 2) { edges { node { ...P } } }
               b: registeredModels(first: 2) { edges { node { ...P versions(first: 2) { edges { node { stage createdAt } } } } } } }
       fragment P on RegisteredModel { versions(first: 2) { edges { node { version } } } }`,
      {},
    );
    expect(merged.data.a.edges[0].node.versions.edges[0].node).toEqual({ version: 6 });
    expect(merged.data.b.edges[0].node.versions.edges[0].node).toEqual({ version: 6, stage: 'NONE', createdAt: expect.any(String) });
  });

  it('the same shape asked twice in one operation with different page sizes adds one statement per distinct page', async () => {
    const result = await count(
      `query { a: registeredModels(first: 50) { edges { node { versions(first: 2) { edges { node { version } } } } } }
               b: registeredModels(first: 50) { edges { node { versions(first: 2) { edges { node { version } } } } } } }`,
      {},
    );
    expect(result.data.a.edges[0].node.versions.edges.map((e: any) => e.node.version)).toEqual([6, 5]);
    // Two model pages; the second field's identical version pages come from the loader cache or its batch.
    expect(result.statements).toBe(3);
  });

  it('registeredModel(name:) with latestVersions(stages: [PRODUCTION]), tags and aliases is a fixed handful', async () => {
    const one = await count(ONE_MODEL, { name: 'sc-007' });
    expect(one.data.registeredModel).toEqual({
      latestVersions: [{ version: 2 }],
      tags: [{ key: 'team' }, { key: 'tier' }],
      aliases: [{ alias: 'challenger' }, { alias: 'champion' }],
    });
    // The model by name brings its latest versions, tags and aliases in the same statement.
    expect(one.statements).toBe(1);

    // Two latestVersions selections with different stages: one comes along, the other is batched on its own.
    const mixed = await count(
      `query { registeredModel(name: "sc-007") { p: latestVersions(stages: [PRODUCTION]) { version } all: latestVersions { version stage } tags { key } } }`,
      {},
    );
    expect(mixed.data.registeredModel.p).toEqual([{ version: 2 }]);
    expect(mixed.data.registeredModel.all).toEqual([
      { version: 6, stage: 'NONE' },
      { version: 4, stage: 'STAGING' },
      { version: 2, stage: 'PRODUCTION' },
    ]);
    expect(mixed.statements).toBe(3); // model with tags, and each stage set's latest versions

    // Stages from a variable, and aliases' versions.
    const viaVariable = await count(
      `query($s: [Stage!]) { registeredModel(name: "sc-007") { latestVersions(stages: $s) { version } aliases { alias version } } }`,
      { s: ['STAGING', 'PRODUCTION'] },
    );
    expect(viaVariable.data.registeredModel.latestVersions).toEqual([{ version: 4 }, { version: 2 }]);
    expect(viaVariable.data.registeredModel.aliases.map((a: any) => a.alias)).toEqual(['challenger', 'champion']);
    expect(viaVariable.statements).toBe(1);

    // Many models by name in one operation are batched: still one statement per kind.
    const many = Array.from({ length: 20 }, (_, i) => `m${i}: registeredModel(name: "sc-${String(i).padStart(3, '0')}") {
      latestVersions(stages: [PRODUCTION]) { version } tags { key } aliases { alias } }`);
    const batched = await count(`query { ${many.join('\n')} }`, {});
    expect(Object.values(batched.data).every((m: any) => m.latestVersions[0].version === 2)).toBe(true);
    expect(batched.statements).toBe(one.statements);
  });

  it('a lookup by name reads only the latest versions\' columns its selection asks for', async () => {
    /** The SQL text of the one statement an operation runs. */
    async function statementOf(query: string) {
      const texts: string[] = [];
      r.app.database.onStatement = (text) => texts.push(text);
      try {
        const data = await r.gql(query);
        expect(texts).toHaveLength(1);
        return { data, sql: texts[0] };
      } finally {
        r.app.database.onStatement = undefined;
      }
    }
    const narrow = await statementOf(`{ registeredModel(name: "sc-007") { latestVersions(stages: [PRODUCTION]) { version source } } }`);
    expect(narrow.data.registeredModel.latestVersions).toEqual([{ version: 2, source: 's3://b/sc-007/2' }]);
    expect(narrow.sql).toContain('mv.source');
    for (const unread of ['mv.run_id', 'mv.description', 'mv.created_at', 'mv.updated_at', 'mv.status', 'm.name AS "modelName"']) {
      expect(narrow.sql).not.toContain(unread);
    }

    // Two selections of the same stages, one through a fragment: the union of their fields comes
    // along, and every value is the one the version's own lookup gives.
    const wide = await statementOf(`{ registeredModel(name: "sc-007") {
      a: latestVersions(stages: [PRODUCTION]) { version runId name }
      b: latestVersions(stages: [PRODUCTION]) { ... on ModelVersion { createdAt updatedAt description status stage } }
    } }`);
    for (const read of ['mv.run_id', 'm.name AS "modelName"', 'mv.created_at', 'mv.updated_at', 'mv.description', 'mv.status']) {
      expect(wide.sql).toContain(read);
    }
    const own = await r.gql(`{ modelVersion(name: "sc-007", version: 2) { version runId name createdAt updatedAt description status stage } }`);
    const { version, runId, name, ...rest } = own.modelVersion;
    expect(wide.data.registeredModel.a).toEqual([{ version, runId, name }]);
    expect(wide.data.registeredModel.b).toEqual([rest]);
    expect(rest.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('every other per-parent field is batched too: counts, single versions, aliases, stage history, nodes', async () => {
    const q = `query($n: Int!) { registeredModels(first: $n) { edges { node {
      version(version: 2) { version } versionByAlias(alias: "champion") { version }
      aliases { modelVersion { version stage } }
      versions(first: 3, stages: [PRODUCTION, STAGING]) { totalCount edges { node { version
        registeredModel { name } metrics { key }
        transitions(first: 5) { totalCount edges { node { toStage modelVersion { version } } } } } } }
    } } } }`;
    const small = await count(q, { n: 2 });
    const big = await count(q, { n: 50 });
    const node = big.data.registeredModels.edges[10].node;
    expect(node.version).toEqual({ version: 2 });
    expect(node.versionByAlias).toEqual({ version: 2 });
    expect(node.versions.totalCount).toBe(2);
    expect(node.versions.edges.map((e: any) => [e.node.version, e.node.transitions.edges.map((t: any) => t.node.toStage)])).toEqual([
      [4, ['STAGING']],
      [2, ['PRODUCTION']],
    ]);
    expect(big.statements).toBe(small.statements);
    // page, version by number, by alias, aliases, version by id (alias targets), version pages,
    // version counts, model by id, metrics, transition pages, transition counts, version by id
    // again one level deeper (transitions' versions not already cached).
    expect(big.statements).toBe(12);

    const ids = (await r.gql(`{ registeredModels(first: 50) { edges { node { id } } } }`)).registeredModels.edges.map((e: any) => e.node.id);
    const nodes = await count(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on RegisteredModel { name tags { key } } } }`, { ids });
    expect(nodes.data.nodes.map((n: any) => n.id)).toEqual(ids);
    expect(nodes.statements).toBe(2);
  });

  it('a missing model costs one statement, and totalCount adds exactly one', async () => {
    const missing = await count(ONE_MODEL, { name: 'sc-missing' });
    expect(missing.data.registeredModel).toBeNull();
    expect(missing.statements).toBe(1);

    const page = await count(`query { registeredModels(first: 5, filter: { name: { like: "sc-%" } }) { totalCount edges { node { name } } } }`, {});
    expect(page.data.registeredModels.totalCount).toBe(MODELS);
    expect(page.statements).toBe(2);
  });

  it('modelVersions with nested model, tags and aliases does not grow with the page size', async () => {
    const q = `query($n: Int!) { modelVersions(first: $n, filter: { name: { like: "sc-%" } }) { edges { node {
      version tags { key } aliases metrics { key } registeredModel { name tags { key } } } } } }`;
    const small = await count(q, { n: 3 });
    const big = await count(q, { n: 300 });
    expect(big.data.modelVersions.edges).toHaveLength(300);
    expect(small.statements).toBe(big.statements);
    // page, version tags, version aliases, metrics, model by id, model tags.
    expect(big.statements).toBe(6);
  });
});

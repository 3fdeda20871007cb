// Index use at scale (PostgreSQL only): with ~20,000 models and ~100,000 versions, the statements
// the API actually runs for its hot reads are planned as index scans, never as sequential scans of
// the big tables, and a page deep in the registry reads no more rows than the first page.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.js';
import { databaseKinds } from './support/databases.js';
import { startRegistry, type TestRegistry } from './support/registry.js';

const kinds = databaseKinds.filter((kind) => kind === 'postgres');
if (kinds.length === 0) it.skip('needs PostgreSQL: set TEST_DATABASE_URL', () => {});

const MODELS = 20_000;
const VERSIONS_PER_MODEL = 5;
const BIG_TABLES = ['registered_models', 'model_versions', 'registered_model_tags', 'model_version_tags', 'registered_model_aliases'];
const INDEX_SCANS = ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan'];

interface Statement {
  sql: string;
  params: unknown[];
}
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

describe.each(kinds)('indexes at scale (%s)', (kind) => {
  let r: TestRegistry;

  /** Runs an operation through the API and returns the SQL statements it ran, with their parameters. */
  async function statementsOf(query: string, variables?: Record<string, unknown>): Promise<{ data: any; statements: Statement[] }> {
    const statements: Statement[] = [];
    r.app.database.onStatement = (text, params) => statements.push({ sql: text, params });
    try {
      const data = await r.gql(query, variables);
      return { data, statements };
    } finally {
      r.app.database.onStatement = undefined;
    }
  }

  /** EXPLAIN (ANALYZE) of a captured statement: every plan node, flattened. */
  async function explain(statement: Statement, options: { seqScanOff?: boolean } = {}): Promise<PlanNode[]> {
    const client = (r.app.database.db as any).$client;
    const [row] = await client.begin(async (tx: any) => {
      if (options.seqScanOff) await tx.unsafe('SET LOCAL enable_seqscan = off');
      return tx.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, statement.params as never[]);
    });
    const plan = row['QUERY PLAN'];
    return flatten((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan);
  }

  /** The statement matching `pattern`, planned with one of `indexes` and no sequential scan of a big table. */
  async function expectIndexed(statements: Statement[], pattern: RegExp, indexes: string[], options: { seqScanOff?: boolean } = {}) {
    const matching = statements.filter((s) => pattern.test(s.sql));
    expect(matching, `one statement matches ${pattern} among\n${statements.map((s) => s.sql).join('\n---\n')}`).toHaveLength(1);
    const nodes = await explain(matching[0], options);
    const context = `${matching[0].sql}\n${JSON.stringify(nodes.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name'], n['Actual Rows']]))}`;
    const seqScans = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(n['Relation Name']!));
    expect(seqScans, context).toEqual([]);
    const used = nodes.filter((n) => INDEX_SCANS.includes(n['Node Type']) && indexes.includes(n['Index Name']!));
    expect(used.length, context).toBeGreaterThan(0);
    return nodes;
  }

  async function count(query: string): Promise<number> {
    return Number(rowsOf<{ n: number }>(await r.app.database.db.execute(sql.raw(query)))[0].n);
  }

  beforeAll(async () => {
    r = await startRegistry(kind);
    const db = r.app.database.db;
    // Names in md5 order, not id order; timestamps spread out and distinct from id order too.
    await db.execute(sql`INSERT INTO registered_models (name, description, created_at, updated_at, next_version)
      SELECT 'ix-' || md5(g::text), 'model ' || g,
             timestamptz '2024-01-01' + g * interval '1 minute',
             timestamptz '2024-01-01' + g * interval '1 minute' + ((g * 7919) % 100000) * interval '1 second',
             ${VERSIONS_PER_MODEL + 1}
      FROM generate_series(1, ${MODELS}) g`);
    await db.execute(sql`INSERT INTO model_versions (model_id, version, stage, source, run_id, created_at, updated_at)
      SELECT m.id, v,
             (CASE WHEN v = 5 THEN 'PRODUCTION' WHEN v = 4 THEN 'STAGING' WHEN v <= 2 THEN 'ARCHIVED' ELSE 'NONE' END)::stage,
             's3://ix/' || m.id || '/' || v, 'run-' || m.id || '-' || v,
             m.created_at + v * interval '1 second', m.created_at + v * interval '1 second' + ((m.id * v) % 977) * interval '1 minute'
      FROM registered_models m CROSS JOIN generate_series(1, ${VERSIONS_PER_MODEL}) v`);
    await db.execute(sql`INSERT INTO registered_model_tags (model_id, key, value)
      SELECT id, 'team', 'team-' || (id % 50) FROM registered_models
      UNION ALL SELECT id, 'tier', CASE WHEN id % 1000 = 0 THEN 'gold' ELSE 'bronze' END FROM registered_models`);
    await db.execute(sql`INSERT INTO model_version_tags (version_id, key, value)
      SELECT id, 'framework', CASE WHEN id % 2 = 0 THEN 'torch' ELSE 'sklearn' END FROM model_versions
      UNION ALL SELECT id, 'commit', md5(id::text) FROM model_versions WHERE version >= 4`);
    await db.execute(sql`INSERT INTO registered_model_aliases (model_id, alias, version_id)
      SELECT model_id, 'champion', id FROM model_versions WHERE version = 5`);
    await db.execute(sql`ANALYZE`);
    expect(await count('SELECT count(*) AS n FROM registered_models')).toBe(MODELS);
    expect(await count('SELECT count(*) AS n FROM model_versions')).toBe(MODELS * VERSIONS_PER_MODEL);
  }, 120_000);
  afterAll(() => r?.stop());

  const MODEL_PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: RegisteredModelOrder, $filter: RegisteredModelFilter) {
    registeredModels(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name createdAt updatedAt } } } }`;
  const VERSION_PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: ModelVersionOrder, $filter: ModelVersionFilter) {
    modelVersions(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
      pageInfo { hasNextPage endCursor } edges { cursor node { name version createdAt } } } }`;

  /** A cursor deep in the list (pages are at most 1000): the start of the last `depth` items. */
  async function deepCursor(query: string, field: string, depth: number, vars: Record<string, unknown> = {}) {
    const data = await r.gql(query, { last: depth, ...vars });
    return data[field].edges[0].cursor as string;
  }

  it('a keyset page by name after a cursor walks registered_models_name_key', async () => {
    const after = await deepCursor(MODEL_PAGE, 'registeredModels', 1000);
    const { statements } = await statementsOf(MODEL_PAGE, { first: 50, after });
    expect(statements).toHaveLength(1);
    const nodes = await expectIndexed(statements, /from "registered_models"/, ['registered_models_name_key']);
    // Keyset, not OFFSET: the scan reads the page plus one row, however deep the page is.
    const scan = nodes.find((n) => n['Index Name'] === 'registered_models_name_key')!;
    expect(scan['Actual Rows']).toBeLessThanOrEqual(51);
  });

  it('pages by updatedAt and createdAt, both directions, walk their (key, id) indexes', async () => {
    for (const [field, index] of [
      ['UPDATED_AT', 'registered_models_updated_at_idx'],
      ['CREATED_AT', 'registered_models_created_at_idx'],
    ] as const) {
      for (const direction of ['ASC', 'DESC']) {
        const orderBy = { field, direction };
        const after = await deepCursor(MODEL_PAGE, 'registeredModels', 700, { orderBy });
        const { statements } = await statementsOf(MODEL_PAGE, { first: 50, after, orderBy });
        const nodes = await expectIndexed(statements, /from "registered_models"/, [index]);
        expect(nodes.find((n) => n['Index Name'] === index)!['Actual Rows']).toBeLessThanOrEqual(51);
      }
    }
  });

  it('a page of models with tags, aliases, latest versions and a page of versions each: every statement indexed', async () => {
    const after = await deepCursor(MODEL_PAGE, 'registeredModels', 900);
    const { data, statements } = await statementsOf(
      `query($after: String) { registeredModels(first: 50, after: $after) { edges { node {
        name tags { key value } aliases { alias version } latestVersions { version stage }
        versions(first: 3) { edges { node { version tags { key } } } } } } } }`,
      { after },
    );
    const first = data.registeredModels.edges[0].node;
    expect(first.versions.edges.map((e: any) => e.node.version)).toEqual([5, 4, 3]);
    expect(first.latestVersions.map((v: any) => [v.stage, v.version])).toEqual([
      ['NONE', 3],
      ['STAGING', 4],
      ['PRODUCTION', 5],
      ['ARCHIVED', 2],
    ]);
    expect(first.aliases).toEqual([{ alias: 'champion', version: 5 }]);
    expect(first.tags.map((t: any) => t.key)).toEqual(['team', 'tier']);

    await expectIndexed(statements, /from "registered_models" where "registered_models"."name" >/, ['registered_models_name_key']);
    await expectIndexed(statements, /from "registered_model_tags"/, ['registered_model_tags_model_id_key_pk']);
    await expectIndexed(statements, /from "registered_model_aliases"/, ['registered_model_aliases_model_id_alias_pk']);
    await expectIndexed(statements, /DISTINCT ON/, ['model_versions_model_stage_version_idx', 'model_versions_model_version_key']);
    const pages = await expectIndexed(statements, /CROSS JOIN LATERAL/, ['model_versions_model_version_key']);
    // Each model's page reads its page plus one row, not all its versions.
    const perModel = pages.find((n) => n['Index Name'] === 'model_versions_model_version_key')!;
    expect(perModel['Actual Rows']).toBeLessThanOrEqual(4);
    // The versions' tags come in the same statement, by the tags' primary key.
    expect(pages.some((n) => n['Index Name'] === 'model_version_tags_version_id_key_pk')).toBe(true);
    expect(statements.filter((s) => /from "model_version_tags"/.test(s.sql))).toEqual([]);
  });

  it('modelVersions ordered by createdAt desc (the default) after a deep cursor walks model_versions_created_at_idx', async () => {
    const after = await deepCursor(VERSION_PAGE, 'modelVersions', 1000);
    const { statements } = await statementsOf(VERSION_PAGE, { first: 50, after });
    const nodes = await expectIndexed(statements, /from "model_versions"/, ['model_versions_created_at_idx']);
    expect(nodes.find((n) => n['Index Name'] === 'model_versions_created_at_idx')!['Actual Rows']).toBeLessThanOrEqual(51);
  });

  it('filtered reads use their indexes: name, run id, source, stage, tag value', async () => {
    const name = (await r.gql(`{ registeredModels(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) { edges { node { name } } } }`)).registeredModels.edges[0].node.name;
    const byName = await statementsOf(`query($name: String!) { registeredModel(name: $name) { name versions(first: 5) { edges { node { version } } } } }`, { name });
    expect(byName.data.registeredModel.versions.edges).toHaveLength(5);
    await expectIndexed(byName.statements, /FROM registered_models m WHERE m.name = /, ['registered_models_name_key']);

    const byRun = await statementsOf(VERSION_PAGE, { first: 10, filter: { runId: 'run-77-3' } });
    expect(byRun.data.modelVersions.edges.map((e: any) => e.node.version)).toEqual([3]);
    await expectIndexed(byRun.statements, /from "model_versions"/, ['model_versions_run_id_idx']);

    const bySource = await statementsOf(VERSION_PAGE, { first: 10, filter: { source: { equals: 's3://ix/78/2' } } });
    expect(bySource.data.modelVersions.edges).toHaveLength(1);
    await expectIndexed(bySource.statements, /from "model_versions"/, ['model_versions_source_idx']);

    const byStage = await statementsOf(VERSION_PAGE, { first: 50, filter: { stages: ['STAGING'] } });
    expect(byStage.data.modelVersions.edges.every((e: any) => e.node.version === 4)).toBe(true);
    await expectIndexed(byStage.statements, /from "model_versions"/, ['model_versions_stage_idx', 'model_versions_created_at_idx']);

    const gold = await statementsOf(MODEL_PAGE, { first: 50, filter: { tags: [{ key: 'tier', value: { equals: 'gold' } }] } });
    expect(gold.data.registeredModels.edges).toHaveLength(MODELS / 1000);
    await expectIndexed(gold.statements, /from "registered_models"/, ['registered_model_tags_key_value_idx']);

    const contains = await statementsOf(MODEL_PAGE, { first: 50, filter: { name: { ilike: '%ABCDE%' } } });
    const expected = await count(`SELECT count(*) AS n FROM registered_models WHERE name ILIKE '%abcde%'`);
    expect(contains.data.registeredModels.edges).toHaveLength(Math.min(expected, 50));
    // A substring match over 20,000 short names is a cheap sequential scan, and the planner may
    // rightly choose one; what must hold is that the trigram index can serve it as the table grows.
    await expectIndexed(contains.statements, /from "registered_models"/, ['registered_models_name_trgm_idx'], { seqScanOff: true });
  });

  it('a deep page through the API returns exactly the right items', async () => {
    const total = MODELS;
    // By name: the 60th-from-last item's cursor, then the next 50.
    const after = await deepCursor(MODEL_PAGE, 'registeredModels', 60);
    const page = (await r.gql(MODEL_PAGE, { first: 50, after })).registeredModels;
    const expectedNames = rowsOf<{ name: string }>(
      await r.app.database.db.execute(sql`SELECT name FROM registered_models ORDER BY name OFFSET ${total - 59} LIMIT 50`),
    ).map((row) => row.name);
    expect(page.edges.map((e: any) => e.node.name)).toEqual(expectedNames);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = (await r.gql(MODEL_PAGE, { first: 50, after: page.pageInfo.endCursor })).registeredModels;
    expect(rest.edges).toHaveLength(9);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    // By updatedAt descending, backward from near the end.
    const orderBy = { field: 'UPDATED_AT', direction: 'DESC' };
    const before = await deepCursor(MODEL_PAGE, 'registeredModels', 100, { orderBy });
    const back = (await r.gql(MODEL_PAGE, { last: 40, before, orderBy })).registeredModels;
    const expectedBack = rowsOf<{ name: string }>(
      await r.app.database.db.execute(sql`SELECT name FROM registered_models ORDER BY updated_at DESC, id DESC OFFSET ${total - 140} LIMIT 40`),
    ).map((row) => row.name);
    expect(back.edges.map((e: any) => e.node.name)).toEqual(expectedBack);

    // Versions by createdAt descending, deep.
    const vAfter = await deepCursor(VERSION_PAGE, 'modelVersions', 25);
    const vPage = (await r.gql(VERSION_PAGE, { first: 20, after: vAfter })).modelVersions;
    const expectedVersions = rowsOf<{ name: string; version: number }>(
      await r.app.database.db.execute(sql`SELECT m.name, v.version FROM model_versions v JOIN registered_models m ON m.id = v.model_id
        ORDER BY v.created_at DESC, v.id DESC OFFSET ${MODELS * VERSIONS_PER_MODEL - 24} LIMIT 20`),
    ).map((row) => `${row.name}/${row.version}`);
    expect(vPage.edges.map((e: any) => `${e.node.name}/${e.node.version}`)).toEqual(expectedVersions);
  });
});

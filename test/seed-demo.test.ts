// `npm run seed:demo`: the demo seeder fills a real registry over HTTP, and a second run does not fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../scripts/seed-demo.js';
import { startListeningRegistry, type TestRegistry } from './support/registry.js';

const MODELS = 8;

describe('seed:demo (pglite)', () => {
  let registry: TestRegistry;
  let url: string;
  beforeAll(async () => {
    ({ registry, url } = await startListeningRegistry('pglite'));
  });
  afterAll(() => registry?.stop());

  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  async function models() {
    const data = await registry.gql(`{
      registeredModels(first: 100) {
        totalCount
        edges { node {
          name description tags { key value }
          aliases { alias version }
          latestVersions(stages: [PRODUCTION]) { version }
          versions(first: 50) { totalCount edges { node { version source runId stage metrics { key value } } } }
        } }
      }
      stageTransitions(first: 1) { totalCount }
    }`);
    return { total: data.registeredModels.totalCount, nodes: data.registeredModels.edges.map((e: any) => e.node), transitions: data.stageTransitions.totalCount };
  }

  it('fills the registry with models, versions, metrics, stage histories and aliases', async () => {
    const summary = await seedDemo({ url, models: MODELS, seed: 7, log });
    expect(summary).toMatchObject({ models: MODELS, created: MODELS, existing: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^seeded 8 models \(8 created, 0 already there\): \d+ versions/);
    expect(summary.refused).toBeGreaterThan(0);

    const { total, nodes, transitions } = await models();
    expect(total).toBe(MODELS);
    for (const model of nodes) {
      expect(model.name).toMatch(/^[a-z0-9-]+$/);
      expect(model.description).toBeTruthy();
      expect(model.tags.map((t: any) => t.key)).toEqual(expect.arrayContaining(['team', 'task']));
      expect(model.versions.totalCount).toBeGreaterThan(0);
      for (const { node: version } of model.versions.edges) {
        expect(version.source).toMatch(/^s3:\/\//);
        expect(version.runId).toMatch(/^[0-9a-f]{32}$/);
        const metrics = Object.fromEntries(version.metrics.map((m: any) => [m.key, m.value]));
        expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['accuracy', 'f1', 'auc', 'latency_ms']));
        for (const key of ['accuracy', 'f1', 'auc']) expect(metrics[key]).toBeGreaterThan(0.4), expect(metrics[key]).toBeLessThan(1);
        expect(metrics.latency_ms).toBeGreaterThan(0);
      }
    }
    const inProduction = nodes.filter((m: any) => m.latestVersions.length > 0);
    expect(inProduction.length).toBeGreaterThan(0);
    expect(transitions).toBeGreaterThan(0);
    const aliases = nodes.flatMap((m: any) => m.aliases.map((a: any) => a.alias));
    expect(aliases).toContain('champion');
    expect(aliases).toContain('challenger');
    // A champion is the version in PRODUCTION.
    for (const model of inProduction) {
      const champion = model.aliases.find((a: any) => a.alias === 'champion');
      if (champion) expect(champion.version).toBe(model.latestVersions[0].version);
    }
    // Refused promotions changed nothing; successful ones left a history with archived predecessors.
    const history = await registry.gql(`{ stageTransitions(first: 1000, filter: { toStages: [PRODUCTION] }) { totalCount } }`);
    expect(history.stageTransitions.totalCount).toBeGreaterThanOrEqual(inProduction.length);
  });

  it('runs again without failing, adding versions to the same models', async () => {
    const before = await models();
    const summary = await seedDemo({ url, models: MODELS, seed: 7, log });
    expect(summary).toMatchObject({ created: 0, existing: MODELS });
    const after = await models();
    expect(after.total).toBe(MODELS);
    const versions = (m: { nodes: any[] }) => m.nodes.reduce((sum, model) => sum + model.versions.totalCount, 0);
    expect(versions(after)).toBe(versions(before) + summary.versions);
    expect(after.transitions).toBeGreaterThan(before.transitions);
  });

  it('explains an unreachable registry', async () => {
    await expect(seedDemo({ url: 'http://127.0.0.1:9/graphql', models: 1, log })).rejects.toThrow(/cannot reach the registry/);
  });
});

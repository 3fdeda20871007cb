// `npm run seed:demo -- [--url URL] [--token TOKEN] [--models N] [--seed S]`: fills a running registry
// with a realistic demo through its public GraphQL API (never SQL): registered models with team and
// task tags, versions with sources, run ids and metrics, stage histories built with
// transitionModelVersionStage and guarded promoteModelVersion (some refused), and champion /
// challenger aliases. The same seed gives the same demo; running it again adds versions and
// promotions to the models already there instead of failing.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export interface SeedDemoOptions {
  /** The registry's GraphQL endpoint. */
  url: string;
  /** An EDITOR or ADMIN token, sent as `Authorization: Bearer`; omit when auth is off. */
  token?: string | null;
  /** How many registered models (default 36). */
  models?: number;
  /** Seed of the pseudo-random generator: the same seed gives the same demo (default 42). */
  seed?: number | string;
  /** Where the summary line goes (default console.log). */
  log?: (line: string) => void;
  /** Draw a progress bar on stderr (default false; the command line turns it on). */
  progress?: boolean;
  /** Models seeded at once (default 4). */
  concurrency?: number;
}

export interface SeedDemoSummary {
  models: number;
  created: number;
  existing: number;
  versions: number;
  metrics: number;
  stageChanges: number;
  promotions: number;
  refused: number;
  aliases: number;
  seconds: number;
  line: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';
export const DEFAULT_MODELS = 36;
export const DEFAULT_SEED = 42;

// ---------------------------------------------------------------------------------------------
// A small deterministic pseudo-random generator (mulberry32, seeded by an FNV-1a hash).

function hash(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Random {
  private state: number;
  constructor(...seed: (string | number)[]) {
    this.state = hash(...seed);
  }
  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Roughly normal, mean 0, standard deviation 1 (sum of uniforms). */
  normal(): number {
    let sum = 0;
    for (let i = 0; i < 6; i++) sum += this.next();
    return (sum - 3) * Math.SQRT2;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The catalog: what a real registry's models look like.

type Family = 'tabular' | 'text' | 'vision' | 'ranking' | 'forecast';

interface CatalogEntry {
  name: string;
  team: string;
  task: string;
  family: Family;
  description: string;
}

const CATALOG: CatalogEntry[] = [
  { name: 'fraud-detector', team: 'risk', task: 'binary-classification', family: 'tabular', description: 'Scores card transactions for fraud at authorization time.' },
  { name: 'churn-predictor', team: 'growth', task: 'binary-classification', family: 'tabular', description: 'Probability that a subscriber cancels within the next 30 days.' },
  { name: 'credit-risk-scorer', team: 'risk', task: 'binary-classification', family: 'tabular', description: 'Probability of default for consumer credit applications.' },
  { name: 'chargeback-predictor', team: 'risk', task: 'binary-classification', family: 'tabular', description: 'Flags settled payments likely to be disputed by the cardholder.' },
  { name: 'account-takeover-detector', team: 'security', task: 'binary-classification', family: 'tabular', description: 'Detects logins from compromised accounts using device and session signals.' },
  { name: 'network-intrusion-detector', team: 'security', task: 'anomaly-detection', family: 'tabular', description: 'Flags anomalous east-west traffic between internal services.' },
  { name: 'payments-anomaly-detector', team: 'payments', task: 'anomaly-detection', family: 'tabular', description: 'Finds unusual payment volume per merchant and hour.' },
  { name: 'merchant-category-classifier', team: 'payments', task: 'multiclass-classification', family: 'text', description: 'Assigns a merchant category code from the business name and description.' },
  { name: 'product-recommender', team: 'personalization', task: 'ranking', family: 'ranking', description: 'Two-tower retrieval plus re-ranking for the home feed.' },
  { name: 'next-best-offer', team: 'marketing', task: 'ranking', family: 'ranking', description: 'Chooses which offer to show each customer in the app.' },
  { name: 'size-recommender', team: 'personalization', task: 'multiclass-classification', family: 'tabular', description: 'Predicts the garment size a shopper will keep.' },
  { name: 'search-ranker', team: 'search', task: 'ranking', family: 'ranking', description: 'Learning-to-rank model for catalog search results.' },
  { name: 'query-intent-classifier', team: 'search', task: 'text-classification', family: 'text', description: 'Classifies search queries into navigational, transactional and informational intents.' },
  { name: 'duplicate-listing-detector', team: 'marketplace', task: 'similarity', family: 'vision', description: 'Finds listings that reuse the same photos or text.' },
  { name: 'review-helpfulness-ranker', team: 'marketplace', task: 'ranking', family: 'ranking', description: 'Orders product reviews by predicted helpfulness.' },
  { name: 'demand-forecaster', team: 'supply-chain', task: 'forecasting', family: 'forecast', description: 'Daily demand per SKU and warehouse, 28 days ahead.' },
  { name: 'inventory-replenisher', team: 'supply-chain', task: 'forecasting', family: 'forecast', description: 'Reorder quantities per SKU from forecast demand and lead times.' },
  { name: 'energy-load-forecaster', team: 'operations', task: 'forecasting', family: 'forecast', description: 'Hourly data-center power draw, 48 hours ahead.' },
  { name: 'price-optimizer', team: 'pricing', task: 'regression', family: 'tabular', description: 'Price elasticity per product to set dynamic prices.' },
  { name: 'eta-predictor', team: 'logistics', task: 'regression', family: 'tabular', description: 'Delivery time estimates shown at checkout.' },
  { name: 'delivery-delay-predictor', team: 'logistics', task: 'binary-classification', family: 'tabular', description: 'Flags parcels likely to miss their promised delivery date.' },
  { name: 'ltv-estimator', team: 'growth', task: 'regression', family: 'tabular', description: 'Twelve-month customer lifetime value at signup.' },
  { name: 'lead-scorer', team: 'sales', task: 'binary-classification', family: 'tabular', description: 'Ranks inbound leads by probability of converting to a paid plan.' },
  { name: 'email-open-predictor', team: 'marketing', task: 'binary-classification', family: 'tabular', description: 'Predicts which recipients open a campaign email, for send-time optimization.' },
  { name: 'ad-ctr-predictor', team: 'ads', task: 'binary-classification', family: 'tabular', description: 'Click-through rate for sponsored product ads.' },
  { name: 'bid-optimizer', team: 'ads', task: 'regression', family: 'tabular', description: 'Sets auction bids from predicted conversion value.' },
  { name: 'sentiment-classifier', team: 'nlp', task: 'text-classification', family: 'text', description: 'Positive, neutral or negative sentiment of customer feedback.' },
  { name: 'language-identifier', team: 'nlp', task: 'text-classification', family: 'text', description: 'Identifies the language of short user texts (110 languages).' },
  { name: 'named-entity-recognizer', team: 'nlp', task: 'token-classification', family: 'text', description: 'Extracts people, organizations, products and places from text.' },
  { name: 'support-ticket-router', team: 'support', task: 'text-classification', family: 'text', description: 'Routes incoming support tickets to the right queue.' },
  { name: 'spam-filter', team: 'trust-safety', task: 'text-classification', family: 'text', description: 'Blocks spam in messages between buyers and sellers.' },
  { name: 'toxicity-detector', team: 'trust-safety', task: 'text-classification', family: 'text', description: 'Scores comments for harassment and hate speech.' },
  { name: 'image-moderator', team: 'trust-safety', task: 'image-classification', family: 'vision', description: 'Flags uploaded images that break the content policy.' },
  { name: 'kyc-document-verifier', team: 'compliance', task: 'image-classification', family: 'vision', description: 'Checks identity documents for tampering during onboarding.' },
  { name: 'invoice-parser', team: 'finance', task: 'information-extraction', family: 'text', description: 'Extracts totals, dates and line items from supplier invoices.' },
  { name: 'claims-triage', team: 'insurance', task: 'multiclass-classification', family: 'text', description: 'Sorts incoming insurance claims by complexity and urgency.' },
  { name: 'defect-detector', team: 'manufacturing', task: 'image-classification', family: 'vision', description: 'Finds surface defects on production-line camera images.' },
  { name: 'predictive-maintenance', team: 'manufacturing', task: 'binary-classification', family: 'tabular', description: 'Predicts machine failures within 7 days from sensor telemetry.' },
  { name: 'speech-intent-classifier', team: 'voice', task: 'text-classification', family: 'text', description: 'Maps transcribed voice commands to assistant intents.' },
  { name: 'job-failure-predictor', team: 'platform', task: 'binary-classification', family: 'tabular', description: 'Predicts which batch jobs will fail, to retry them early on bigger nodes.' },
];

const REGIONS = ['eu', 'us', 'apac', 'latam', 'mea'];

const FRAMEWORKS: Record<Family, { name: string; latency: [number, number] }[]> = {
  tabular: [
    { name: 'xgboost', latency: [2, 12] },
    { name: 'lightgbm', latency: [1.5, 9] },
    { name: 'catboost', latency: [2, 14] },
    { name: 'sklearn', latency: [0.8, 6] },
  ],
  text: [
    { name: 'transformers', latency: [25, 180] },
    { name: 'pytorch', latency: [12, 70] },
  ],
  vision: [
    { name: 'pytorch', latency: [30, 160] },
    { name: 'onnx', latency: [15, 90] },
  ],
  ranking: [
    { name: 'tensorflow', latency: [8, 45] },
    { name: 'lightgbm', latency: [3, 20] },
  ],
  forecast: [
    { name: 'lightgbm', latency: [5, 30] },
    { name: 'prophet', latency: [40, 220] },
    { name: 'pytorch', latency: [20, 120] },
  ],
};

const CHANGES = [
  'added 30-day velocity features',
  'tuned learning rate and tree depth',
  'class-weighted loss for the minority class',
  'longer training window (180 days)',
  'dropped a leaky feature found in review',
  'new embedding features from the feature store',
  'distilled to a smaller network',
  'quantized to int8 for cheaper serving',
  'recalibrated probabilities (isotonic)',
  'deduplicated training labels',
  'hyperparameter sweep, best of 64 trials',
  'retrained after upstream schema change',
];

type Profile = 'production' | 'evaluation' | 'experimental' | 'retired';

interface ModelSpec {
  name: string;
  team: string;
  task: string;
  family: Family;
  framework: string;
  latency: [number, number];
  description: string;
  profile: Profile;
  versions: number;
  baseAccuracy: number;
  critical: boolean;
}

/** The models of a demo: depends only on the seed and the count. */
export function planModels(count: number, seed: number | string): ModelSpec[] {
  const random = new Random('seed-demo', seed);
  const order = random.shuffle(CATALOG);
  const entries: (CatalogEntry & { region?: string })[] = [];
  for (let i = 0; i < count; i++) {
    const entry = order[i % order.length];
    const round = Math.floor(i / order.length);
    if (round === 0) entries.push(entry);
    else {
      const region = REGIONS[(round - 1) % REGIONS.length] + (round > REGIONS.length ? String(Math.ceil(round / REGIONS.length)) : '');
      entries.push({ ...entry, name: `${entry.name}-${region}`, region });
    }
  }
  // Most models are in production; some are still being evaluated, a few are experiments or retired.
  const experimental = Math.floor(count * 0.1);
  const retired = Math.floor(count * 0.1);
  const evaluation = Math.max(count >= 3 ? 1 : 0, Math.floor(count * 0.15));
  const profiles = random.shuffle<Profile>([
    ...Array<Profile>(experimental).fill('experimental'),
    ...Array<Profile>(retired).fill('retired'),
    ...Array<Profile>(evaluation).fill('evaluation'),
    ...Array<Profile>(Math.max(0, count - experimental - retired - evaluation)).fill('production'),
  ]);
  return entries.map((entry, i) => {
    const framework = random.pick(FRAMEWORKS[entry.family]);
    const profile = profiles[i];
    const versions = profile === 'production' ? random.int(3, 6) : profile === 'retired' ? random.int(2, 3) : random.int(1, 3);
    return {
      name: entry.name,
      team: entry.team,
      task: entry.task,
      family: entry.family,
      framework: framework.name,
      latency: framework.latency,
      description: entry.region ? `${entry.description} (${entry.region.toUpperCase()} region.)` : entry.description,
      profile,
      versions,
      baseAccuracy: random.float(0.8, 0.94),
      critical: random.chance(0.3),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The GraphQL client.

class SeedError extends Error {}

class Client {
  constructor(
    private readonly url: string,
    private readonly token: string | null,
  ) {}

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new SeedError(`cannot reach the registry at ${this.url} (${cause?.code ?? cause?.message ?? String(error)}); start it with \`npm start\` or pass --url`);
    }
    const text = await response.text();
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new SeedError(`the registry at ${this.url} answered HTTP ${response.status} with a non-JSON body: ${text.slice(0, 200)}`);
    }
    if (response.status === 401 || body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      throw new SeedError(`the registry at ${this.url} needs a valid token: pass --token or set REGISTRY_TOKEN (an EDITOR or ADMIN token)`);
    }
    if (body.errors?.length || !body.data) {
      throw new SeedError(`GraphQL error from ${this.url} (HTTP ${response.status}): ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
    }
    return body.data;
  }
}

interface MutationOutcome {
  __typename: string;
  code?: string;
  message?: string;
  [field: string]: any;
}

/** Returns the payload, or the expected failure when its type is in `tolerated`; anything else is a bug or a missing permission. */
function check(what: string, result: MutationOutcome, ok: string, tolerated: string[] = []): MutationOutcome {
  if (result.__typename === ok || tolerated.includes(result.__typename)) return result;
  const hint = result.__typename === 'PermissionDeniedError' ? ' (the token needs the EDITOR or ADMIN role)' : '';
  throw new SeedError(`${what}: ${result.__typename} ${result.code ?? ''} ${result.message ?? ''}${hint}`.trim());
}

const ERROR_FIELDS = '__typename ... on Error { code message }';
const TRANSITION_FIELDS = `${ERROR_FIELDS} ... on TransitionModelVersionStagePayload { modelVersion { version stage } transitions { version fromStage toStage } }`;

const CREATE_MODEL = `mutation SeedCreateModel($input: CreateRegisteredModelInput!) {
  createRegisteredModel(input: $input) { ${ERROR_FIELDS} } }`;
const MODEL_STATE = `query SeedModelState($name: String!) {
  registeredModel(name: $name) { versions(first: 1) { totalCount } latestVersions(stages: [PRODUCTION]) { version metrics { key value } } } }`;
const REGISTER = `mutation SeedRegister($input: RegisterModelInput!) {
  registerModel(input: $input) { ${ERROR_FIELDS} ... on RegisterModelPayload { modelVersion { version } } } }`;
const TRANSITION = `mutation SeedTransition($input: TransitionModelVersionStageInput!) {
  transitionModelVersionStage(input: $input) { ${TRANSITION_FIELDS} } }`;
const PROMOTE = `mutation SeedPromote($input: PromoteModelVersionInput!) {
  promoteModelVersion(input: $input) { ${TRANSITION_FIELDS} } }`;
const SET_ALIAS = `mutation SeedSetAlias($input: SetRegisteredModelAliasInput!) {
  setRegisteredModelAlias(input: $input) { ${ERROR_FIELDS} } }`;
const DELETE_ALIAS = `mutation SeedDeleteAlias($input: DeleteRegisteredModelAliasInput!) {
  deleteRegisteredModelAlias(input: $input) { ${ERROR_FIELDS} } }`;

// ---------------------------------------------------------------------------------------------
// The progress bar: [#####.....] 42% label. Redrawn in place on a terminal, a line per 10% otherwise.

class ProgressBar {
  private done = 0;
  private lastPrinted = -10;
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly started = Date.now();
  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  tick(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    if (!this.enabled) return;
    const share = this.total ? this.done / this.total : 1;
    const width = 28;
    const filled = Math.round(share * width);
    const percent = Math.floor(share * 100);
    const line = `seed:demo [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${this.done}/${this.total} ${label} (${((Date.now() - this.started) / 1000).toFixed(1)} s)`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
    else if (percent - this.lastPrinted >= 10 || this.done === this.total) {
      this.lastPrinted = percent;
      process.stderr.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.enabled && this.tty) process.stderr.write('\r\x1b[K');
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding.

interface Counts {
  created: number;
  existing: number;
  versions: number;
  metrics: number;
  stageChanges: number;
  promotions: number;
  refused: number;
  aliases: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

interface VersionMetrics {
  accuracy: number;
  f1: number;
  auc: number;
  latency_ms: number;
  extra?: { key: string; value: number };
}

function metricsFor(spec: ModelSpec, accuracy: number, latency: number, random: Random): VersionMetrics {
  const metrics: VersionMetrics = {
    accuracy: round(accuracy, 4),
    f1: round(clamp(accuracy - random.float(0.02, 0.09), 0.4, 0.99), 4),
    auc: round(clamp(accuracy + random.float(0.01, 0.05), 0.5, 0.999), 4),
    latency_ms: round(latency, 1),
  };
  if (spec.family === 'ranking') metrics.extra = { key: 'ndcg_at_10', value: round(clamp(accuracy - random.float(0.15, 0.3), 0.3, 0.95), 4) };
  else if (spec.family === 'forecast') metrics.extra = { key: 'mape', value: round(clamp(1 - accuracy + random.float(0.0, 0.04), 0.02, 0.4), 4) };
  else if (spec.task === 'regression') metrics.extra = { key: 'rmse', value: round(random.float(2, 40) * (1.2 - accuracy), 3) };
  return metrics;
}

function metricInputs(m: VersionMetrics) {
  const list = [
    { key: 'accuracy', value: m.accuracy },
    { key: 'f1', value: m.f1 },
    { key: 'auc', value: m.auc },
    { key: 'latency_ms', value: m.latency_ms },
  ];
  if (m.extra) list.push(m.extra);
  return list;
}

async function seedModel(client: Client, spec: ModelSpec, seed: number | string, counts: Counts, tick: (label: string) => void) {
  const name = spec.name;
  const tags = [
    { key: 'team', value: spec.team },
    { key: 'task', value: spec.task },
    { key: 'framework', value: spec.framework },
    { key: 'owner', value: `${spec.team}-ml@example.com` },
  ];
  if (spec.critical) tags.push({ key: 'tier', value: 'critical' });
  if (spec.profile === 'retired') tags.push({ key: 'deprecated', value: 'true' });
  if (spec.profile === 'experimental') tags.push({ key: 'status', value: 'experiment' });
  const created = check(
    `createRegisteredModel ${name}`,
    (await client.request(CREATE_MODEL, { input: { name, description: spec.description, tags } })).createRegisteredModel,
    'CreateRegisteredModelPayload',
    ['AlreadyExistsError'],
  );
  if (created.__typename === 'AlreadyExistsError') counts.existing++;
  else counts.created++;

  // What is there already (a second run): the champion to beat, and a salt so new versions differ from old ones.
  const state = (await client.request(MODEL_STATE, { name })).registeredModel;
  const existingVersions: number = state?.versions.totalCount ?? 0;
  const champion = state?.latestVersions[0];
  let championVersion: number | null = champion?.version ?? null;
  let championAccuracy: number | null = champion?.metrics.find((m: { key: string }) => m.key === 'accuracy')?.value ?? null;
  let previousChampion: number | null = null;
  let previousChampionAccuracy: number | null = null;
  let stagingVersion: number | null = null;

  const random = new Random('seed-demo', seed, name, existingVersions);
  const latencyBudget = round(spec.latency[1] * 1.1, 0);
  // A second run carries on from the champion's quality, as the next retraining would.
  let accuracy = championAccuracy ?? clamp(spec.baseAccuracy + existingVersions * 0.004, 0.6, 0.985);
  let latency = random.float(spec.latency[0], spec.latency[1]);
  const start = Date.UTC(2025, 0, 6) + existingVersions * 14 * 86_400_000;

  const transition = async (input: Record<string, unknown>, tolerated: string[] = []) => {
    const result = check(`transitionModelVersionStage ${name} v${input.version} → ${input.stage}`, (await client.request(TRANSITION, { input: { name, ...input } })).transitionModelVersionStage, 'TransitionModelVersionStagePayload', tolerated);
    if (result.transitions) counts.stageChanges += result.transitions.length;
    return result;
  };
  const promote = async (input: Record<string, unknown>) => {
    counts.promotions++;
    const result = check(`promoteModelVersion ${name}`, (await client.request(PROMOTE, { input: { name, ...input } })).promoteModelVersion, 'TransitionModelVersionStagePayload', ['PreconditionFailedError']);
    if (result.transitions) counts.stageChanges += result.transitions.length;
    else counts.refused++;
    return result;
  };
  const setAlias = async (alias: string, version: number) => {
    check(`setRegisteredModelAlias ${name} ${alias}`, (await client.request(SET_ALIAS, { input: { name, alias, version } })).setRegisteredModelAlias, 'UpdateRegisteredModelPayload');
    counts.aliases++;
  };
  const deleteAlias = async (alias: string) => {
    check(`deleteRegisteredModelAlias ${name} ${alias}`, (await client.request(DELETE_ALIAS, { input: { name, alias } })).deleteRegisteredModelAlias, 'UpdateRegisteredModelPayload');
  };

  for (let i = 0; i < spec.versions; i++) {
    // Each retraining mostly improves a little, sometimes regresses; latency drifts.
    if (i > 0 || existingVersions > 0) accuracy = clamp(accuracy + 0.007 + random.normal() * 0.01, 0.6, 0.992);
    latency = clamp(latency * (1 + random.normal() * 0.12), spec.latency[0] * 0.7, spec.latency[1] * 1.3);
    const metrics = metricsFor(spec, accuracy, latency, random);
    const runId = random.hex(32);
    const snapshot = new Date(start + i * 14 * 86_400_000).toISOString().slice(0, 10);
    const change = i === 0 && existingVersions === 0 ? 'first baseline' : random.pick(CHANGES);
    const registered = check(
      `registerModel ${name}`,
      (
        await client.request(REGISTER, {
          input: {
            name,
            source: `s3://ml-artifacts/${spec.team}/${name}/${runId}/artifacts/model`,
            runId,
            description: `Trained on the ${snapshot} snapshot: ${change}.`,
            metrics: metricInputs(metrics),
            tags: [
              { key: 'framework', value: spec.framework },
              { key: 'git_commit', value: random.hex(7) },
              { key: 'dataset', value: `s3://ml-datasets/${spec.team}/${name}/${snapshot}` },
            ],
          },
        })
      ).registerModel,
      'RegisterModelPayload',
    );
    const version: number = registered.modelVersion.version;
    counts.versions++;
    counts.metrics += metricInputs(metrics).length;

    switch (spec.profile) {
      case 'experimental':
        // Registered for comparison only; never staged.
        break;

      case 'evaluation': {
        // A candidate in STAGING that does not meet its launch target yet: the guarded promotion is refused.
        await transition({ version, stage: 'STAGING', archiveExistingVersions: true, comment: `candidate from run ${runId.slice(0, 8)}` });
        await setAlias('challenger', version);
        const target = round(Math.max(0.95, metrics.accuracy + 0.015), 3);
        await promote({
          fromStage: 'STAGING',
          toStage: 'PRODUCTION',
          requirements: [
            { metric: 'accuracy', op: 'GTE', value: target },
            { metric: 'latency_ms', op: 'LTE', value: latencyBudget },
          ],
          comment: `launch gate: accuracy >= ${target}`,
        });
        break;
      }

      case 'production':
      case 'retired': {
        // Now and then a retraining is only an experiment and stays in NONE.
        if (championVersion !== null && random.chance(0.15)) break;
        await transition({ version, stage: 'STAGING', archiveExistingVersions: true, comment: `candidate from run ${runId.slice(0, 8)}: ${change}` });
        stagingVersion = version;
        await setAlias('challenger', version);
        let promoted: MutationOutcome;
        if (championVersion === null && random.chance(0.3)) {
          // The very first release, approved by hand.
          promoted = await transition({ version, stage: 'PRODUCTION', expectedStage: 'STAGING', archiveExistingVersions: true, comment: 'first release, approved in review' });
        } else {
          // The challenger must beat the champion (or the floor, with none) and stay in the latency budget.
          const requirements = [
            championAccuracy === null
              ? { metric: 'accuracy', op: 'GTE', value: 0.75 }
              : { metric: 'accuracy', op: 'GT', value: championAccuracy },
            { metric: 'latency_ms', op: 'LTE', value: latencyBudget },
          ];
          if (spec.critical) requirements.push({ metric: 'auc', op: 'GTE', value: 0.8 });
          promoted = await promote({ fromStage: 'STAGING', toStage: 'PRODUCTION', requirements, comment: championVersion === null ? 'first release' : `challenger v${version} vs champion v${championVersion}` });
        }
        if (promoted.__typename !== 'TransitionModelVersionStagePayload') break;
        previousChampion = championVersion;
        previousChampionAccuracy = championAccuracy;
        stagingVersion = null;
        championVersion = version;
        championAccuracy = metrics.accuracy;
        await setAlias('champion', version);
        await deleteAlias('challenger');
        // Once in a while the new champion misbehaves in production and the previous one comes back.
        if (previousChampion !== null && random.chance(0.12)) {
          const rollback = await transition(
            { version: previousChampion, stage: 'PRODUCTION', expectedStage: 'ARCHIVED', archiveExistingVersions: true, comment: `rollback: p99 latency regression in v${version}` },
            ['PreconditionFailedError'],
          );
          if (rollback.__typename === 'TransitionModelVersionStagePayload') {
            await setAlias('champion', previousChampion);
            championVersion = previousChampion;
            championAccuracy = previousChampionAccuracy;
          }
        }
        break;
      }
    }
    tick(`${name} v${version}`);
  }

  // A retired model: its production and staging versions are archived, and its aliases removed.
  if (spec.profile === 'retired') {
    for (const version of [championVersion, stagingVersion]) {
      if (version !== null) await transition({ version, stage: 'ARCHIVED', comment: 'retired: superseded by a shared model' });
    }
    await deleteAlias('champion');
    await deleteAlias('challenger');
  }
}

/** Seeds the registry at `url`; returns the counts and prints one summary line through `log`. */
export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoSummary> {
  const started = Date.now();
  const count = options.models ?? DEFAULT_MODELS;
  const seed = options.seed ?? DEFAULT_SEED;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new SeedError(`--models must be a whole number from 1 to 100000, not ${count}`);
  const client = new Client(options.url, options.token ?? null);

  // Fail early, and clearly, when the registry is unreachable or the token may not write.
  const viewer = (await client.request<{ viewer: { name: string | null; role: string } }>('query SeedViewer { viewer { name role } }')).viewer;
  if (viewer.role === 'READER') throw new SeedError(`the token ${viewer.name ?? ''} is a READER: seeding needs an EDITOR or ADMIN token`);

  const specs = planModels(count, seed);
  const bar = new ProgressBar(
    specs.reduce((sum, spec) => sum + spec.versions, 0),
    options.progress ?? false,
  );
  const counts: Counts = { created: 0, existing: 0, versions: 0, metrics: 0, stageChanges: 0, promotions: 0, refused: 0, aliases: 0 };

  // A few models at a time; each model's own steps run in order. The first failure stops the rest.
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < specs.length) {
      const spec = specs[next++];
      try {
        await seedModel(client, spec, seed, counts, (label) => bar.tick(label));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, specs.length)) }, worker));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  } finally {
    bar.end();
  }

  const seconds = round((Date.now() - started) / 1000, 1);
  const line =
    `seeded ${count} models (${counts.created} created, ${counts.existing} already there): ${counts.versions} versions, ` +
    `${counts.metrics} metrics, ${counts.stageChanges} stage changes, ${counts.promotions} guarded promotions ` +
    `(${counts.refused} refused), ${counts.aliases} aliases set, in ${seconds} s (seed ${seed}, ${options.url})`;
  log(line);
  return { models: count, ...counts, seconds, line };
}

// ---------------------------------------------------------------------------------------------
// The command line.

const USAGE = `usage: npm run seed:demo -- [--url URL] [--token TOKEN] [--models N] [--seed S]
  Fills a running registry with a realistic demo through its GraphQL API.
  --url     GraphQL endpoint (default ${DEFAULT_URL}, or REGISTRY_URL)
  --token   EDITOR or ADMIN token, sent as Authorization: Bearer (or REGISTRY_TOKEN)
  --models  number of registered models (default ${DEFAULT_MODELS})
  --seed    seed of the pseudo-random generator; the same seed gives the same demo (default ${DEFAULT_SEED})`;

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: process.env.REGISTRY_URL || DEFAULT_URL },
        token: { type: 'string', default: process.env.REGISTRY_TOKEN || undefined },
        models: { type: 'string', default: String(DEFAULT_MODELS) },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main() {
  const values = parseCommandLine();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const models = Number(values.models);
  if (!/^\d+$/.test(values.models!) || models < 1) {
    console.error(`--models must be a positive whole number, not ${values.models}\n${USAGE}`);
    process.exit(2);
  }
  const seed = /^-?\d+$/.test(values.seed!) ? Number(values.seed) : values.seed!;
  try {
    await seedDemo({ url: values.url!, token: values.token ?? null, models, seed, progress: true });
  } catch (error) {
    console.error(`seed:demo: ${error instanceof SeedError ? error.message : (error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

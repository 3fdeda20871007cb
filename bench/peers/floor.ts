// The floor: the benchmark's reads as hand-written SQL through postgres.js, served as JSON by a
// bare node:http server. No GraphQL: one prepared statement per request builds the response's
// JSON in PostgreSQL, and Node passes the text through.
//   GET /q1?first=50&versions=5[&after=<name>]   the nested page (Q1, Q3)
//   GET /q2?name=<name>                          one model (Q2)
//   POST /q4                                     a write (Q4; floor-writes.ts)
import { createServer, type IncomingMessage } from 'node:http';
import postgres from 'postgres';
import { write } from './floor-writes.js';

const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.DB_POOL_SIZE ?? 10), onnotice: () => {}, prepare: true });

// Keyset on the unique name (code-point order, as the registry pages); '' starts at the first model.
const PAGE = `
SELECT COALESCE(json_agg(json_build_object('node', json_build_object(
  'name', m.name, 'versions', json_build_object('edges', v.edges))) ORDER BY m.name), '[]')::text AS edges
FROM (SELECT id, name FROM registered_models WHERE name > $1 ORDER BY name LIMIT $3) m
CROSS JOIN LATERAL (
  SELECT COALESCE(json_agg(json_build_object('node', json_build_object(
    'version', v.version, 'stage', v.stage, 'source', v.source, 'tags', t.tags)) ORDER BY v.version DESC), '[]') AS edges
  FROM (SELECT id, version, stage, source FROM model_versions WHERE model_id = m.id ORDER BY version DESC LIMIT $2) v
  CROSS JOIN LATERAL (
    SELECT COALESCE(json_agg(json_build_object('key', key, 'value', value) ORDER BY key), '[]') AS tags
    FROM model_version_tags WHERE version_id = v.id) t
) v`;

const ONE_MODEL = `
SELECT json_build_object(
  'name', m.name,
  'latestVersions', (SELECT COALESCE(json_agg(json_build_object('version', v.version, 'source', v.source)), '[]') FROM (
    SELECT version, source FROM model_versions WHERE model_id = m.id AND stage = 'PRODUCTION' ORDER BY version DESC LIMIT 1) v),
  'tags', (SELECT COALESCE(json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key), '[]')
           FROM registered_model_tags t WHERE t.model_id = m.id),
  'aliases', (SELECT COALESCE(json_agg(json_build_object('alias', a.alias, 'version', v.version) ORDER BY a.alias), '[]')
              FROM registered_model_aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = m.id)
)::text AS model
FROM registered_models m WHERE m.name = $1`;

const bodyOf = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

const clamp = (value: string | null, fallback: number) => Math.min(1000, Math.max(0, Number(value ?? fallback) || 0));

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://floor');
    let body: string;
    if (url.pathname === '/q1') {
      const [row] = await sql.unsafe(PAGE, [url.searchParams.get('after') ?? '', clamp(url.searchParams.get('versions'), 5), clamp(url.searchParams.get('first'), 50)]);
      body = `{"data":{"registeredModels":{"edges":${row.edges}}}}`;
    } else if (url.pathname === '/q2') {
      const [row] = await sql.unsafe(ONE_MODEL, [url.searchParams.get('name') ?? '']);
      body = `{"data":{"registeredModel":${row?.model ?? 'null'}}}`;
    } else if (url.pathname === '/q4' && req.method === 'POST') {
      body = JSON.stringify({ data: await write(sql, await bodyOf(req)) });
    } else if (url.pathname === '/health') {
      body = '{}';
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
  }
});

server.listen(Number(process.env.PORT ?? 4002), '127.0.0.1', () => console.log(`floor: listening on ${process.env.PORT ?? 4002}`));
const stop = () => server.close(() => void sql.end({ timeout: 2 }).then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

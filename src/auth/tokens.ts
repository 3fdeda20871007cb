// API tokens: random secrets shown once, stored only as SHA-256, looked up in constant time
// with respect to the secret (an index on the hash, then a timing-safe compare).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens } from '../db/schema.js';
import { AlreadyExistsError, NotFoundError } from '../registry/errors.js';
import { checkText } from '../registry/validation.js';
import type { Role } from './permissions.js';

const PREFIX = 'mr_';

export interface TokenRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

const columns = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Creates a token; the returned secret (32 random bytes) is never stored or shown again. */
export async function createApiToken(db: Db, input: { name: string; role: Role }): Promise<{ token: TokenRecord; secret: string }> {
  const name = checkText(input.name, ['input', 'name'], 'Token name', 100, 1);
  const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const [token] = await db
    .insert(apiTokens)
    .values({ name, role: input.role, secretHash: hashOf(secret) })
    .onConflictDoNothing({ target: apiTokens.name })
    .returning(columns);
  if (!token) throw new AlreadyExistsError(`An API token named ${name} already exists`);
  return { token, secret };
}

export async function revokeApiToken(db: Db, name: string): Promise<TokenRecord> {
  const [token] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
    .returning(columns);
  if (!token) throw new NotFoundError(`No active API token named ${name}`);
  return token;
}

export async function listApiTokens(db: Db): Promise<TokenRecord[]> {
  return db.select(columns).from(apiTokens).orderBy(asc(apiTokens.name));
}

export async function countActiveTokens(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(apiTokens).where(isNull(apiTokens.revokedAt));
  return Number(row.n);
}

/** The active token a presented secret belongs to, or null. Marks it used. */
export async function authenticateSecret(db: Db, secret: string): Promise<TokenRecord | null> {
  if (!secret.startsWith(PREFIX) || secret.length > 200) return null;
  const hash = hashOf(secret);
  const [row] = await db
    .select({ ...columns, secretHash: apiTokens.secretHash })
    .from(apiTokens)
    .where(and(eq(apiTokens.secretHash, hash), isNull(apiTokens.revokedAt)));
  if (!row || !timingSafeEqual(Buffer.from(row.secretHash), Buffer.from(hash))) return null;
  // Last use to the minute: not a write on every request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
  }
  const { secretHash: _, ...token } = row;
  return token;
}

/** Compares the bootstrap ADMIN_TOKEN in constant time. */
export function matchesSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(hashOf(presented));
  const b = Buffer.from(hashOf(expected));
  return timingSafeEqual(a, b);
}

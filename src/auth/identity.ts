// Turns a request's credentials into an identity, and decides at start-up whether auth is on.
import { GraphQLError } from 'graphql';
import type { Db } from '../db/client.js';
import { ANONYMOUS, type Identity } from './permissions.js';
import { authenticateSecret, countActiveTokens, matchesSecret } from './tokens.js';

export type AuthMode = 'required' | 'off';

export interface AuthSettings {
  mode: AuthMode;
  adminToken: string | undefined;
}

export class AuthConfigError extends Error {}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * AUTH=required or AUTH=off when set. Otherwise off only on a loopback address with no token;
 * a server reachable from elsewhere with no token and no explicit AUTH=off refuses to start.
 */
export async function decideAuthMode(db: Db, env: { auth?: AuthMode; host: string; adminToken?: string }): Promise<AuthMode> {
  // Not migrated yet (MIGRATE_ON_START=false) counts as no token.
  const hasToken = Boolean(env.adminToken) || (await countActiveTokens(db).catch(() => 0)) > 0;
  if (env.auth === 'off') return 'off';
  if (env.auth === 'required') {
    if (!hasToken) throw new AuthConfigError('AUTH=required but no API token exists: set ADMIN_TOKEN to bootstrap an admin');
    return 'required';
  }
  if (hasToken) return 'required';
  if (LOOPBACK.test(env.host)) return 'off';
  throw new AuthConfigError(
    `HOST=${env.host} is reachable from other machines and no API token exists: set ADMIN_TOKEN (then create tokens), or AUTH=off to serve without authentication`,
  );
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** `Bearer <token>` from a header value (HTTP, SSE) or a connection parameter (WebSocket). */
export function bearerSecret(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : null;
}

/** The caller's identity; with auth on, a missing or bad token is a 401 UNAUTHENTICATED. */
export async function identify(db: Db, settings: AuthSettings, credential: unknown): Promise<Identity> {
  const secret = bearerSecret(credential);
  if (secret && settings.adminToken && matchesSecret(secret, settings.adminToken)) return { name: 'admin', role: 'ADMIN' };
  const token = secret ? await authenticateSecret(db, secret) : null;
  if (token) return { name: token.name, role: token.role };
  if (settings.mode === 'off') return ANONYMOUS;
  throw unauthenticated(secret ? 'The API token is not valid (unknown or revoked)' : 'Authentication required: send Authorization: Bearer <token>');
}

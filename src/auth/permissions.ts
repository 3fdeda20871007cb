// Who may do what. Roles give a default permission on every model; a per-model grant replaces
// it for one model, narrowing or widening it (a team owns its models).
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { modelGrants } from '../db/schema.js';
import { PermissionDeniedError } from '../registry/errors.js';

export type Role = 'READER' | 'EDITOR' | 'ADMIN';
export const ROLES: readonly Role[] = ['READER', 'EDITOR', 'ADMIN'];

/**
 * Per-model permission levels, each including the ones before it:
 * READ: see it; EDIT: register versions, tags, metrics, descriptions, aliases, and stage changes
 * that do not touch PRODUCTION; PROMOTE: also move versions into or out of PRODUCTION;
 * MANAGE: also rename and delete.
 */
export type ModelPermission = 'NONE' | 'READ' | 'EDIT' | 'PROMOTE' | 'MANAGE';
export const MODEL_PERMISSIONS: readonly ModelPermission[] = ['NONE', 'READ', 'EDIT', 'PROMOTE', 'MANAGE'];

const ROLE_DEFAULT: Record<Role, ModelPermission> = { READER: 'READ', EDITOR: 'PROMOTE', ADMIN: 'MANAGE' };
const rank = (p: ModelPermission) => MODEL_PERMISSIONS.indexOf(p);

/** The identity behind a request. With auth off every request is an anonymous admin. */
export interface Identity {
  name: string | null;
  role: Role;
}

export const ANONYMOUS: Identity = { name: null, role: 'ADMIN' };

/** Answers permission questions for one identity, loading its grants once per request. */
export class Permissions {
  private grants: Map<number, ModelPermission> | null = null;
  private loadedAt = 0;

  /** `maxAgeMs` bounds how stale grants may be: a long-lived subscription re-reads them. */
  constructor(
    private readonly db: Db,
    readonly identity: Identity,
    private readonly maxAgeMs = Infinity,
  ) {}

  /** The actor recorded on events and transitions. */
  get name(): string | null {
    return this.identity.name;
  }

  get isAdmin(): boolean {
    return this.identity.role === 'ADMIN';
  }

  /** `db` is the transaction when asked inside one (PGlite has a single connection). */
  private async loadGrants(db: Db = this.db): Promise<Map<number, ModelPermission>> {
    if (this.grants && Date.now() - this.loadedAt < this.maxAgeMs) return this.grants;
    this.loadedAt = Date.now();
    if (this.identity.name == null || this.isAdmin) return (this.grants = new Map());
    const rows = await db.select().from(modelGrants).where(eq(modelGrants.identity, this.identity.name));
    return (this.grants = new Map(rows.map((r) => [r.modelId, r.permission])));
  }

  /** The identity's permission on one model: its grant there, or its role's default. */
  async on(modelId: number, db?: Db): Promise<ModelPermission> {
    if (this.isAdmin) return 'MANAGE';
    return (await this.loadGrants(db)).get(modelId) ?? ROLE_DEFAULT[this.identity.role];
  }

  async allows(modelId: number, needed: ModelPermission, db?: Db): Promise<boolean> {
    return rank(await this.on(modelId, db)) >= rank(needed);
  }

  /** Throws PermissionDeniedError (returned to the client as data) unless allowed. */
  async require(modelId: number, modelName: string, needed: ModelPermission, db?: Db): Promise<void> {
    if (!(await this.allows(modelId, needed, db))) {
      throw new PermissionDeniedError(`${this.identity.name ?? 'This identity'} needs ${needed} on ${modelName}`);
    }
  }

  /** For actions on no model yet (creating one): the role alone decides. */
  requireRole(needed: ModelPermission, what: string): void {
    if (rank(ROLE_DEFAULT[this.identity.role]) < rank(needed)) {
      throw new PermissionDeniedError(`${this.identity.name ?? 'This identity'} (${this.identity.role}) may not ${what}`);
    }
  }

  requireAdmin(what: string): void {
    if (!this.isAdmin) throw new PermissionDeniedError(`Only an ADMIN may ${what}`);
  }

  /** Model ids this identity may not read (NONE grants), to leave out of lists. */
  async hiddenModels(): Promise<number[]> {
    if (this.isAdmin) return [];
    return [...(await this.loadGrants())].filter(([, p]) => p === 'NONE').map(([id]) => id);
  }
}

export async function setModelGrant(db: Db, identity: string, modelId: number, permission: ModelPermission | null): Promise<void> {
  if (permission == null) {
    await db.delete(modelGrants).where(and(eq(modelGrants.identity, identity), eq(modelGrants.modelId, modelId)));
    return;
  }
  await db
    .insert(modelGrants)
    .values({ identity, modelId, permission })
    .onConflictDoUpdate({ target: [modelGrants.identity, modelGrants.modelId], set: { permission } });
}

export async function grantsOfModels(db: Db, modelIds: readonly number[]) {
  return db.select().from(modelGrants).where(inArray(modelGrants.modelId, [...modelIds]));
}

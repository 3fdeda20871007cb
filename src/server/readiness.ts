// GET /ready: 200 when the database answers, every migration is applied and the event listener
// is connected; 503 with the reasons otherwise (GET /health only says the process is up).
import type { Plugin } from 'graphql-yoga';
import type { RegistryDatabase } from '../db/client.js';
import { migrationStatus } from '../db/migrations.js';
import type { EventHub } from '../events/event-hub.js';

async function problems(database: RegistryDatabase, events: EventHub): Promise<string[]> {
  const found: string[] = [];
  try {
    await database.ping();
    const status = await migrationStatus(database.db);
    if (status.pending > 0) found.push(`${status.pending} migration(s) not applied: run npm run migrate`);
    if (status.newer) found.push('the database was migrated by a newer build');
  } catch {
    found.push('the database is not reachable');
  }
  if (!events.healthy) found.push('the event listener is not connected');
  return found;
}

export function useReadiness(database: RegistryDatabase, events: EventHub): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready' || request.method !== 'GET') return;
      const reasons = await problems(database, events);
      endResponse(fetchAPI.Response.json({ ready: reasons.length === 0, reasons }, { status: reasons.length === 0 ? 200 : 503 }));
    },
  };
}

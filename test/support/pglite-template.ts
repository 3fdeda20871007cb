// Migrates one embedded database before the suite and hands it to every test file, as a dump for
// in-process databases and as a data directory to copy for server processes: each then starts
// without running initdb and every migration again (about 3 s a database on a 2-core machine).
// Both live in the run's scratch directory, with every other directory the tests make.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A file holding the migrated PGlite data directory's dump. */
    pgliteDump: string;
    /** The migrated PGlite data directory itself (copy it, never start a server on it). */
    pgliteDataDir: string;
    /** The run's own temporary directory, removed when the run ends. */
    scratchDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-test-'));
  const dataDir = path.join(dir, 'data');
  const database = await openDatabase({ dataDir });
  const dump = await database.dumpPglite!();
  await database.close();
  const file = path.join(dir, 'migrated.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteDump', file);
  project.provide('pgliteDataDir', dataDir);
  project.provide('scratchDir', dir);
  return () => rm(dir, { recursive: true, force: true });
}

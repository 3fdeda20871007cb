// The registry server for memory benchmarks: SIGUSR2 runs a full garbage collection and writes
// process.memoryUsage() to $MEMORY_REPORT, so readings are of live objects, not of garbage.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  if (process.env.MEMORY_REPORT) writeFileSync(process.env.MEMORY_REPORT, JSON.stringify(process.memoryUsage()));
});
await import('../src/server/main.js');

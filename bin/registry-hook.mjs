#!/usr/bin/env node
// The deploy-hook runner as an installable bin: loads the TypeScript source through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/hook/main.ts');

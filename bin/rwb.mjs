#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so a fresh checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv);

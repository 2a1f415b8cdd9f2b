/**
 * A test file's own RWB_HOME (a temp dir) and an ApiContext whose ES is unreachable (for tests of
 * operations that work on local state only) unless `esUrl` names a real one. Registers its
 * beforeAll/afterAll; read the context and the directory through the returned getters inside tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';

export function useThrowawayHome(
  prefix: string,
  options: { defaultIndex?: string; requestTimeoutMs?: number; esUrl?: string } = {},
): { ctx: () => ApiContext; home: () => string } {
  let home = '';
  let previousHome: string | undefined;
  let ctx: ApiContext | null = null;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), prefix));
    previousHome = process.env.RWB_HOME;
    process.env.RWB_HOME = home;
    ctx = createApiContext({
      mode: 'test',
      es: {
        url: options.esUrl ?? 'http://127.0.0.1:1',
        insecure: false,
        requestTimeoutMs: options.requestTimeoutMs ?? 1000,
      },
      defaultIndex: options.defaultIndex ?? 'rwb_unit_products',
    });
  });
  afterAll(async () => {
    await ctx?.close();
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
    await rm(home, { recursive: true, force: true });
  });
  return {
    ctx: () => {
      if (ctx === null) throw new Error('useThrowawayHome: the context exists only inside tests');
      return ctx;
    },
    home: () => home,
  };
}

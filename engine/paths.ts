import os from 'node:os';
import path from 'node:path';

/**
 * Where the workbench keeps things that must not live in the repository: downloaded runtimes,
 * models, embedding caches, per-profile ES data. Override with RWB_HOME.
 */
export function rwbHome(): string {
  return process.env.RWB_HOME ? path.resolve(process.env.RWB_HOME) : path.join(os.homedir(), '.rwb');
}

export const paths = {
  home: () => rwbHome(),
  runtimes: () => path.join(rwbHome(), 'runtimes'),
  models: () => path.join(rwbHome(), 'models'),
  embeddingCache: () => path.join(rwbHome(), 'cache', 'embeddings'),
  profile: (name: string) => path.join(rwbHome(), 'profiles', name),
  state: () => path.join(rwbHome(), 'state'),
};

/** The Icecat test/benchmark data: RWB_ICECAT_DIR, else ../shared/data/icecat beside the repo. */
export function icecatDir(): string {
  if (process.env.RWB_ICECAT_DIR) return path.resolve(process.env.RWB_ICECAT_DIR);
  return path.resolve(repoRoot(), '..', 'shared', 'data', 'icecat');
}

export function repoRoot(): string {
  // engine/paths.ts → repo root is one level up (also true for the compiled layout out/engine).
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
}

/**
 * A small real index (demo catalog, tenants "1" and "2", no vectors) and a bundle exported from it
 * with text kNN off, for `rwb serve` tests that need a healthy server but no models.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import { exportBundle } from '../../engine/config/bundle.ts';
import type { Bundle } from '../../engine/config/bundle-schema.ts';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { esUrl } from './components.ts';

export interface ServeFixture {
  tmp: string;
  index: string;
  bundle: Bundle;
  /** Number of products indexed. */
  indexed: number;
  cleanup(): Promise<void>;
}

export async function createServeFixture(name: string): Promise<ServeFixture> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `rwb-${name}-`));
  const index = `rwb_test_${name.replace(/-/g, '_')}_${path.basename(tmp).slice(-6).toLowerCase()}`;
  const products = [...generateDemoCatalog({ tenants: ['1', '2'], spusPerTenant: 5, seed: 3 })];
  const source = path.join(tmp, 'products.ndjson');
  await fs.writeFile(source, products.map((p) => JSON.stringify(p)).join('\n'));
  const report = await runIngest(
    {
      source: { kind: 'file', path: source },
      es: { url: esUrl() },
      index,
      recreate: true,
      embedding: { model: null },
    },
    {
      checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
      failuresDir: path.join(tmp, 'failures'),
    },
  );
  const base = defaultSearchConfig();
  const config = parseSearchConfig({
    ...base,
    query: { ...base.query, textEmbedding: { ...base.query.textEmbedding, enabled: false } },
  });
  const client = createEsClient({ url: esUrl() });
  let bundle: Bundle;
  try {
    bundle = await exportBundle({ config, index, client, url: esUrl() });
  } finally {
    await client.close();
  }
  return {
    tmp,
    index,
    bundle,
    indexed: report.indexed,
    async cleanup() {
      const es = createEsClient({ url: esUrl() });
      await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
      await es.close();
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}

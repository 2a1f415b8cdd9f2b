/**
 * Setup of the workbench e2e run: the demo catalog ingested (real SPU transformer, real bulk
 * indexer, no embeddings) into its own index on the real ES, and a query set whose ratings follow
 * the titles, imported through the contract like the Judgments screen would.
 */
import path from 'node:path';
import type { ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { writeDemoFile } from '../../engine/catalog/demo-catalog.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';

export const WORKBENCH_INDEX = process.env.RWB_E2E_WORKBENCH_INDEX ?? 'rwb_e2e_workbench';
export const TENANT = '1';
export const QUERY_SET = 'e2e-demo';

/** Product words of the demo catalog; a hit is rated by whether its Chinese title names the word. */
export const QUERIES = [
  '耳机',
  '手机壳',
  '键盘',
  'T恤',
  '保温杯',
  '帐篷',
  '积木',
  '面霜',
  '枕头',
  '充电器',
  '音箱',
  '衬衫',
];

/**
 * Ingests a demo catalog file (default: tenants 1 and 2, 150 SPUs each, into WORKBENCH_INDEX).
 * `recreate` removes the documents of the file's tenants first; other tenants stay.
 */
export async function ingestDemoCatalog(
  esUrl: string,
  dir: string,
  opts: { index?: string; tenants?: string[]; spusPerTenant?: number } = {},
): Promise<number> {
  const tenants = opts.tenants ?? [TENANT, '2'];
  const file = path.join(dir, opts.tenants ? `demo-${tenants.join('-')}.ndjson` : 'demo.ndjson');
  await writeDemoFile(file, { tenants, spusPerTenant: opts.spusPerTenant ?? 150, seed: 42 });
  const report = await runIngest({
    source: { kind: 'file', path: file },
    es: { url: esUrl },
    index: opts.index ?? WORKBENCH_INDEX,
    recreate: true,
    embedding: { model: null },
    resume: false,
  });
  return report.indexed;
}

/**
 * Rates the top 12 of each query under the default config: 3 when the title names the word in
 * the first two places, 2 further down, 0 otherwise, plus one deliberately unrated hit per query
 * (so coverage has something to show).
 */
export async function importQuerySet(ctx: ApiContext): Promise<string> {
  const rows = ['query,docid,rating'];
  for (const query of QUERIES) {
    const answer = await invoke(
      'search.run',
      { tenantId: TENANT, query, size: 12, facets: [], highlight: false },
      ctx,
    );
    answer.results.slice(0, 11).forEach((hit, i) => {
      const named = hit.titles.zh?.includes(query) ?? false;
      rows.push(`${query},${hit.spu_id},${named ? (i < 2 ? 3 : 2) : 0}`);
    });
  }
  const imported = await invoke(
    'judgments.import',
    { text: rows.join('\n'), format: 'csv', name: QUERY_SET, tenant: TENANT, overwrite: true },
    ctx,
  );
  return imported.info.id;
}
